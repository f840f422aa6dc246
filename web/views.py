"""``/``: the service's front door. A referrer has one start page, the referral form's own
(``/refer/``: what they will be asked, the out-of-hours notice, Start now); ``/`` sends each person
to where they start, so the two never repeat each other."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from mash.navigation import is_verified, landing_url


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Staff past the second factor go to their own work, staff part way through signing in to the
    second factor, and everyone else to the referral form's start page."""
    user = request.user
    if is_verified(user):
        return redirect(landing_url(user))
    if user.is_authenticated:
        return redirect("two_factor_verify")
    return redirect("referrals:start")
