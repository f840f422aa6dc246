"""Every page the gallery (`make screenshots`) photographs, walked in CI the same way: each as the role
that uses it, in its normal and its error state, with axe-core finding no violation of any impact and
no form control hidden from a person (tests/e2e/pages.py is the one list of pages)."""

from __future__ import annotations

import pytest

from tests.e2e.pages import walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {"public", "staff", "screening", "lead", "police", "health", "education", "manager"}
ROLES |= {"socialworker", "edt", "performance", "admin"}


def test_every_page_of_the_gallery_passes_axe_core_and_hides_no_control(pages_journey):
    shots = walk(pages_journey)

    assert {shot.role for shot in shots} == ROLES
    errors = [shot for shot in shots if shot.state == "error"]
    assert len(errors) >= 20, [shot.title for shot in errors]
    assert len(pages_journey.a11y.checked) >= len(shots)
    pages_journey.a11y.assert_clean()
