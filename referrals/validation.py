"""Rules for single values, shared by the online form, the staff route and the intake API.

Each validator raises ``ValidationError`` with a message a referrer can act on (GOV.UK style:
say what to do, not what went wrong).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError

NHS_NUMBER_FORMAT = "Enter an NHS number with 10 digits, like 943 476 5919"
PHONE_FORMAT = "Enter a UK telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
POSTCODE_FORMAT = "Enter a real postcode, like AA1 1AA"

_SEPARATORS = re.compile(r"[\s\-()]")
# UK postcodes (BS 7666 shape), and the special GIR 0AA.
_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s\-]", "", value)


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number's modulus 11 check: weights 10..2 on the first nine digits.

    11 - (sum mod 11) is the check digit; 11 means 0 and 10 means the number is not valid.
    """
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValidationError(NHS_NUMBER_FORMAT, code="nhs_format")
    if not nhs_check_digit_ok(digits):
        raise ValidationError(
            "Enter a valid NHS number: the last digit does not match the others. Check for typing mistakes",
            code="nhs_check_digit",
        )


def normalise_phone(value: str) -> str:
    """Digits only, with +44 (or 0044) written as the leading 0 a UK number has at home."""
    compact = _SEPARATORS.sub("", value)
    for prefix in ("+44", "0044"):
        if compact.startswith(prefix):
            compact = "0" + compact[len(prefix) :].removeprefix("0")
    return compact


def validate_uk_phone(value: str) -> None:
    # UK numbers are 0 followed by 9 or 10 digits (01xxx, 02x, 03, 07, 08); 999 and 111 are not numbers
    # a referrer can be called back on, so they are refused here too.
    if not re.fullmatch(r"0[1-9][0-9]{8,9}", normalise_phone(value)):
        raise ValidationError(PHONE_FORMAT, code="phone")


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s", "", value.upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_postcode(value: str) -> None:
    if not _POSTCODE.fullmatch(normalise_postcode(value)):
        raise ValidationError(POSTCODE_FORMAT, code="postcode")


def validate_encodable(value: str) -> None:
    """Refuse text that cannot be stored as UTF-8 (lone surrogates from a JSON body)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("Remove the characters that cannot be read", code="encoding") from None


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
