"""Walks of the URL resolver, so a test covers every URL the project has, a new one included."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass
class Route:
    name: str | None
    route: str
    keys: frozenset[str] = field(default_factory=frozenset)


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield Route(name, prefix + str(pattern.pattern), frozenset(pattern.pattern.regex.groupindex))


def all_routes() -> list[Route]:
    """Every URL pattern as its full name (namespaces joined), route and keyword arguments."""
    return list(_walk(get_resolver().url_patterns))


SAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x"}


def _sample_route(pattern) -> str:
    text = str(pattern.pattern)
    if hasattr(pattern.pattern, "converters") and "<" in text:
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "1"), text)
    # A regex pattern (the admin uses some): a named group of literal alternatives takes the first.
    text = re.sub(r"\(\?P<\w+>([\w|]+)\)", lambda m: m.group(1).split("|")[0], text)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)
    return text.lstrip("^").rstrip("$").replace("\\", "")


def all_paths(resolver=None, prefix="/") -> list[str]:
    """One concrete path for every URL pattern the project has, admin and API included."""
    resolver = resolver or get_resolver()
    paths = []
    for pattern in resolver.url_patterns:
        route = prefix + _sample_route(pattern)
        if isinstance(pattern, URLResolver):
            paths.extend(all_paths(pattern, route))
        elif isinstance(pattern, URLPattern):
            paths.append(route)
    return sorted(set(paths))
