"""Identifiers in URLs, parsed strictly: a reference is ASCII letters, digits and hyphens, as the
service writes them ("MASH-2026-000123"). Anything else (a superscript digit, a NUL byte, another
script's numerals) matches no route and is a plain 404, never a lookup that fails."""

from __future__ import annotations

from django.urls import register_converter


class ReferenceConverter:
    regex = "[A-Za-z0-9][A-Za-z0-9-]{0,39}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


def register() -> None:
    register_converter(ReferenceConverter, "ref")
