from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from security.api_docs import api_docs
from triage import outcome_urls

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Sign-in, second factor, sign-out, password, audit view and break-glass (security).
    path("", include("security.urls")),
    path("admin/", admin.site.urls),
    # Before triage.urls, whose "<reference>/" would otherwise take "mash" (issue 7).
    path("triage/mash/", include("triage.outcome_urls")),
    # Assessments, S47 enquiries and closures after allocation (issue 11); also before triage.urls.
    path("triage/statutory/", include("triage.statutory_urls")),
    # Restricted records (referrals/restricted.py); before triage.urls for the same reason.
    path("triage/restricted/", include("referrals.restricted_urls")),
    path("triage/", include("triage.urls")),
    path("partners/", include("agencies.urls")),
    path("api/v1/partners/", include("agencies.api.urls")),
    path("people/", include("referrals.person_index.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/triage/", include("triage.api.urls")),
    # Public: a professional challenges an outcome (issue 7); before the referral form's "refer/".
    path("refer/challenge/", include(outcome_urls.public_urlpatterns)),
    path("refer/", include("referrals.urls")),
    path("api/v1/referrals/", include("referrals.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script (CSP).
    path("api/docs/", api_docs, name="api-docs"),
]

# API callers get JSON errors for unmatched paths too (security/errors.py).
handler404 = "security.errors.not_found"
handler500 = "security.errors.server_error"
