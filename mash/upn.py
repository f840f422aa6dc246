"""The Department for Education's Unique Pupil Number: 13 characters, a check letter then 12 digits,
or 11 digits and a letter for a temporary UPN.

The check letter (CIN census rule 1510, the DfE UPN guidance): multiply characters 2 to 13 by their
position (weights 2 to 13; a letter in position 13 counts as its index in ``LETTERS``), sum, take the
remainder on division by 23 and read it as a letter of ``LETTERS`` (A-Z without I, O and S).
"""

from __future__ import annotations

import re

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_SHAPE = re.compile(rf"^[{LETTERS}]\d{{11}}[\d{LETTERS}]$")


def normalise(value: str | None) -> str:
    """Upper case, spaces removed: how a UPN is typed is not part of it."""
    return re.sub(r"\s+", "", value or "").upper()


def check_letter(upn: str) -> str:
    """The check letter that characters 2 to 13 of ``upn`` call for."""
    total = 0
    for weight, char in enumerate(upn[1:13], start=2):
        total += weight * (int(char) if char.isdigit() else LETTERS.index(char))
    return LETTERS[total % 23]


def upn_error(value: str | None, *, field: str = "UPN") -> str | None:
    """Why ``value`` is not a valid UPN, in words naming ``field``; None when it is valid."""
    upn = normalise(value)
    if len(upn) != 13:
        return f"The {field} must be 13 characters, not {len(upn)}."
    if not _SHAPE.match(upn):
        return (
            f"The {field} must be a letter, 11 digits, then a digit or a letter"
            " (letters A to Z without I, O or S)."
        )
    expected = check_letter(upn)
    if upn[0] != expected:
        return f"The {field} has the wrong check letter: {upn[0]} where its digits give {expected}."
    return None


def is_valid(value: str | None) -> bool:
    return upn_error(value) is None
