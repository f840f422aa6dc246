"""The restricted record notice on a referral's page (and the link to manage it)."""

from django import template

from referrals import restricted

register = template.Library()


@register.inclusion_tag("referrals/restricted_notice.html", takes_context=True)
def restricted_notice(context, referral):
    user = context["request"].user
    return {
        "referral": referral,
        "restriction": restricted.restriction_of(referral),
        "can_manage": restricted.can_manage(user),
    }
