"""Text a person typed, made safe to place inside the council's own wording (letters, PDFs, e-mails).

Unicode's bidirectional controls let a run of text reorder what follows it: a right-to-left override
in a referrer's name would print the council's next sentence backwards. User text is therefore
stripped of every control character (but line breaks and tabs) and every bidi embedding, override
and isolate, then wrapped in one first-strong isolate, so its own direction (Arabic, Hebrew, Urdu
names are written right to left) is kept and can never leak into the text around it.
"""

from __future__ import annotations

import unicodedata

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
KEPT_CONTROLS = frozenset("\n\t")


def strip_controls(text: str) -> str:
    """``text`` without control characters (line breaks and tabs kept) or bidi controls."""
    return "".join(
        char
        for char in text
        if char in KEPT_CONTROLS or (char not in BIDI_CONTROLS and unicodedata.category(char) != "Cc")
    )


def isolated(text: str | None) -> str:
    """User text as it may stand inside the council's wording; empty stays empty."""
    cleaned = strip_controls(text or "")
    return f"{FIRST_STRONG_ISOLATE}{cleaned}{POP_DIRECTIONAL_ISOLATE}" if cleaned else ""


def isolated_lines(text: str | None) -> str:
    """User text of one or more lines, each line isolated on its own (blank lines kept).

    A line break ends a bidi paragraph, and every isolate open in it, so one isolate around
    several lines would leave the later ones bare. Every kind of line break (``str.splitlines``:
    also U+2028 and U+2029) becomes a plain ``\\n``, for ``linebreaksbr`` to turn into ``<br>``.
    """
    return "\n".join(isolated(line) for line in (text or "").splitlines())
