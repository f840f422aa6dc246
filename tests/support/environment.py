"""The rule for tests that need something the machine lacks, and what the test run is on.

Under plain `make test` such a test is skipped with the reason; with CI=true it fails instead,
so CI proves everything.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a needed server or browser is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI must prove this, but: {reason}")
    pytest.skip(reason)


def using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
