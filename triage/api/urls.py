from django.urls import path

from . import views

app_name = "triage-api"

urlpatterns = [
    path("queue/", views.TriageQueueApi.as_view(), name="queue"),
    path("early-help/", views.EarlyHelpQueueApi.as_view(), name="early_help"),
    path("edt/", views.EdtQueueApi.as_view(), name="edt"),
    path("domestic-abuse/", views.DomesticAbuseQueueApi.as_view(), name="domestic_abuse"),
    path(
        "domestic-abuse/batch-decide/",
        views.DomesticAbuseBatchDecideApi.as_view(),
        name="domestic_abuse_batch",
    ),
    path("referrals/<ref:reference>/", views.ReferralDetailApi.as_view(), name="referral"),
    path("referrals/<ref:reference>/claim/", views.ReferralClaimApi.as_view(), name="claim"),
    path("referrals/<ref:reference>/release/", views.ReferralReleaseApi.as_view(), name="release"),
    path("referrals/<ref:reference>/reassign/", views.ReferralReassignApi.as_view(), name="reassign"),
    path("referrals/<ref:reference>/decisions/", views.ReferralDecideApi.as_view(), name="decide"),
    path("referrals/<ref:reference>/rag/", views.ReferralChangeRagApi.as_view(), name="change_rag"),
    path("referrals/<ref:reference>/step-up/", views.ReferralStepUpApi.as_view(), name="step_up"),
    path("referrals/<ref:reference>/return/", views.ReferralReturnApi.as_view(), name="return"),
    path(
        "referrals/<ref:reference>/edt-acknowledge/",
        views.ReferralEdtAcknowledgeApi.as_view(),
        name="edt_acknowledge",
    ),
]
