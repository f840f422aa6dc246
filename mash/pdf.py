"""Rendering PDFs with WeasyPrint, safely.

WeasyPrint's default fetcher reads ``file:``, ``http(s)``, ``ftp`` and ``data:`` URLs and follows
redirects: an SSRF and local-file-read hole as soon as anything in the document names a URL
(``<link rel=attachment>`` even copies the fetched bytes into the PDF). Every HTML() and CSS()
here therefore gets :class:`StaticOnlyFetcher`, which denies everything except a fixed list of the
project's own static files, read from disk by this code (no network, hence no redirects). The
letters' templates are server-owned and autoescaped, so referrer text never becomes a URL anyway:
the fetcher is the second wall.

Rendering also has a time limit: the Celery task's soft limit, plus :func:`time_limit` here so
that rendering outside a prefork worker (solo pool, tests, the admin preview) is bounded too.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# WeasyPrint logs every step and page at INFO: a dozen lines per letter would drown the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The only files a letter may load, by static name. Nothing from input is ever added here.
ALLOWED_STATIC = ("notifications/letter.css",)
RENDER_SECONDS = 30


class FetchDenied(ValueError):
    """A URL the letter may not load. WeasyPrint logs it and renders without the resource."""


class RenderTimeout(Exception):
    pass


def _allowed_paths() -> dict[Path, str]:
    paths = {}
    for name in ALLOWED_STATIC:
        found = finders.find(name)
        if found:
            paths[Path(found).resolve()] = name
    return paths


class StaticOnlyFetcher(URLFetcher):
    """Deny by default; allow ``file://`` URLs naming exactly one of :data:`ALLOWED_STATIC`.

    ``asked`` and ``refused`` record every URL seen, so tests (and logs) can prove what happened.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.allowed = _allowed_paths()
        self.asked: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        self.asked.append(url)
        path = self._allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise FetchDenied(f"Letters may not load {url[:200]!r}")
        mime = "text/css" if path.suffix == ".css" else "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    def _allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
            return None
        # resolve() collapses "..", symlinks included, before the exact-match check.
        path = Path(unquote(parts.path)).resolve()
        return path if path in self.allowed else None

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)

    def open(self, url, data=None, timeout=None):  # never urllib's opener: no handler ever runs
        return self.fetch(url if isinstance(url, str) else url.full_url)


def static_url(name: str) -> str:
    """The ``file://`` URL of an allowed static file, for the server-owned templates."""
    if name not in ALLOWED_STATIC:
        raise ValueError(f"{name} is not an allowed letter asset")
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    return Path(found).resolve().as_uri()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise RenderTimeout in this thread after ``seconds`` (a no-op outside the main thread,
    where the Celery soft time limit still applies).

    The alarm repeats every 0.1 s until the block exits: WeasyPrint may be inside a ``__del__`` or
    an ``except Exception`` when the first one lands, which would swallow it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    expired = False

    def expire(signum, frame):
        nonlocal expired
        expired = True
        raise RenderTimeout(f"rendering took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if expired:  # the block finished although an alarm was swallowed on the way: still too slow
        raise RenderTimeout(f"rendering took longer than {seconds} s")


def render_pdf(
    html: str, *, css: str = "", fetcher: StaticOnlyFetcher | None = None, seconds: float = RENDER_SECONDS
) -> bytes:
    """HTML (already escaped by a server-owned template) to PDF bytes, A4, fetching only allowed files."""
    fetcher = fetcher or StaticOnlyFetcher()
    with time_limit(seconds):
        stylesheets = [CSS(string=css, url_fetcher=fetcher)] if css else []
        # No base_url: a relative URL has nothing to resolve against and is dropped by WeasyPrint.
        document = HTML(string=html, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=stylesheets)
