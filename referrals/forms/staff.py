"""Pages only staff use: how a recorded referral arrived, and an advice-only consultation."""

from __future__ import annotations

from django import forms

from mash.codes import ReferralSource
from mash.forms import GovukFormMixin

from ..fields import radios, select, text
from ..models import Referral
from .base import LONG, SHORT


class StaffChannelForm(GovukFormMixin, forms.Form):
    channel = radios(
        "How did the referral reach you?",
        [(Referral.Channel.PHONE, "By telephone"), (Referral.Channel.EMAIL, "By email")],
        required="Select how the referral reached you",
    )


class ConsultationForm(GovukFormMixin, forms.Form):
    """A call for advice only: not a referral, counted separately."""

    caller_name = text("Caller's name", max_length=SHORT)
    caller_organisation = text(
        "Caller's organisation", max_length=SHORT, hint="Leave empty for a member of the public"
    )
    source = select(
        "Where the caller works, or who they are",
        ReferralSource.choices,
        prompt="Choose where the caller works or who they are",
        required="Select where the caller works or who they are",
    )
    summary = text(
        "What the caller asked about",
        max_length=LONG,
        long=True,
        required="Enter what the caller asked about",
    )
    advice_given = text("Advice given", max_length=LONG, long=True, required="Enter the advice you gave")
