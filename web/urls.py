from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from security.api_docs import api_docs
from triage.multiagency import urls as multiagency_urls

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Sign-in, second factor, sign-out, password, audit view and break-glass (security).
    path("", include("security.urls")),
    path("admin/", admin.site.urls),
    # Each stage of a referral's journey under its own prefix, so no include's "<reference>/" can
    # take another's path and the order of this list does not matter.
    path("refer/", include("referrals.urls")),
    path("refer/challenge/", include(multiagency_urls.public_urlpatterns)),
    path("people/", include("referrals.person_index.urls")),
    path("restricted/", include("referrals.restricted_urls")),
    path("triage/", include("triage.urls")),
    path("triage/domestic-abuse/meetings/", include("triage.domestic_abuse.urls")),
    path("mash/", include("triage.multiagency.urls")),
    path("casework/", include("triage.casework.urls")),
    path("partners/", include("triage.multiagency.partners.urls")),
    # A partner's one-time link to one request, without a council account (public prefix).
    path("partner-access/", include("triage.multiagency.partners.access_urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/referrals/", include("referrals.api.urls")),
    path("api/v1/triage/", include("triage.api.urls")),
    path("api/v1/partners/", include("triage.multiagency.partners.api.urls")),
    # GOV.UK Notify's delivery receipts (bearer token, not a session: notifications/views.py).
    path("api/v1/notify/", include("notifications.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script (CSP).
    path("api/docs/", api_docs, name="api-docs"),
]

# API callers get JSON errors for unmatched paths too (security/errors.py).
handler404 = "security.errors.not_found"
handler500 = "security.errors.server_error"
