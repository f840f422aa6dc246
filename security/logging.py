"""A logging filter that keeps personal data out of log lines.

Django's request logging writes the full path with its query string (``"GET /x?name=...``); the
query string is replaced with ``?[scrubbed]``. Known personal fields written as ``field=value``
or ``"field": "value"`` (names, dates of birth, NHS numbers, addresses, contact details) have
their values replaced. The public form never puts personal data in URLs (it POSTs, and a
referral is named by its opaque reference), so this is the second line of defence.
"""

from __future__ import annotations

import logging
import re

PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "other_names",
    "name",
    "referrer_name",
    "date_of_birth",
    "dob",
    "nhs_number",
    "address",
    "postcode",
    "phone",
    "email",
    "referrer_email",
    "referrer_phone",
    "school",
    "password",
    "token",
)
_FIELDS = "|".join(PERSONAL_FIELDS)
# "?anything" up to whitespace or a closing quote: the query part of a logged URL.
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")
_PAIR = re.compile(rf"""(\b(?:{_FIELDS})\b["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,&;}}]+)""", re.IGNORECASE)
REDACTED = "[scrubbed]"


def scrub(text: str) -> str:
    text = _QUERY.sub(rf"\1?{REDACTED}", text)
    return _PAIR.sub(rf"\1{REDACTED}", text)


class ScrubPersonalData(logging.Filter):
    """Rewrites the record's message (with its arguments merged) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for logging's own error handling
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
