"""Normalising names, postcodes and NHS numbers, and the blocking keys stored on index rows.

The same functions build the keys when a row is written (actions, the CSV loader, the benchmark)
and when a referral is matched, so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish

from referrals.validation import nhs_check_digit_ok

_NOT_LETTERS = re.compile(r"[^a-z]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


@lru_cache(maxsize=65536)
def clean_name(name: str) -> str:
    """Lower case ASCII letters only: 'Zoë O'Neil-Smith' -> 'zoe oneil smith' (hyphen kept as a space)."""
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    ascii_name = ascii_name.replace("-", " ").replace("'", "")
    return " ".join(part for part in _NOT_LETTERS.sub(" ", ascii_name).split() if part)


def name_parts(name: str) -> list[str]:
    """The parts of a (possibly hyphenated or double-barrelled) name."""
    return clean_name(name).split()


def name_key(name: str) -> str:
    """The blocking key of a name: metaphone of its first part (so 'Smith-Jones' blocks with 'Smith')."""
    parts = name_parts(name)
    return jellyfish.metaphone(parts[0])[:20] if parts else ""


def normalise_postcode(postcode: str) -> str:
    return _NOT_ALNUM.sub("", (postcode or "").upper())[:8]


def display_postcode(postcode: str) -> str:
    """'WV11AA' -> 'WV1 1AA', as people write it."""
    normalised = normalise_postcode(postcode)
    return f"{normalised[:-3]} {normalised[-3:]}" if len(normalised) > 3 else normalised


def outward_code(postcode: str) -> str:
    """'WV11AA' -> 'WV1': the inward code is always the last three characters."""
    normalised = normalise_postcode(postcode)
    return normalised[:-3] if len(normalised) > 3 else normalised


def normalise_nhs_number(value: str) -> str:
    """Digits only, or '' when it is not a valid NHS number (the modulus 11 check digit fails).

    An invalid number is treated as missing: matching never trusts it for an exact link.
    """
    digits = re.sub(r"\D", "", value or "")
    return digits if len(digits) == 10 and nhs_check_digit_ok(digits) else ""


def person_keys(first_name: str, last_name: str) -> dict[str, str]:
    """The stored blocking keys for a name pair (Person and PersonName share the field names)."""
    return {"first_key": name_key(first_name), "last_key": name_key(last_name)}
