"""A PDF's text, and the ways tests compare it with what they expect.

A PDF's streams are compressed, so its bytes cannot be searched; and extraction splits kerned words
("T eam") and wraps long values across lines, so compare :func:`squash`-ed or :func:`flat` text.
"""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    """PDF text with line breaks and runs of spaces collapsed, for substring checks."""
    return " ".join(text.split())


def squash(text: str) -> str:
    """Text with all whitespace removed: a long value wrapped across PDF lines still matches."""
    return "".join(text.split())
