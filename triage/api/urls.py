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
    path("referrals/<str:reference>/", views.ReferralDetailApi.as_view(), name="referral"),
    path("referrals/<str:reference>/claim/", views.ReferralClaimApi.as_view(), name="claim"),
    path("referrals/<str:reference>/release/", views.ReferralReleaseApi.as_view(), name="release"),
    path("referrals/<str:reference>/reassign/", views.ReferralReassignApi.as_view(), name="reassign"),
    path("referrals/<str:reference>/decisions/", views.ReferralDecideApi.as_view(), name="decide"),
    path("referrals/<str:reference>/rag/", views.ReferralChangeRagApi.as_view(), name="change_rag"),
    path("referrals/<str:reference>/step-up/", views.ReferralStepUpApi.as_view(), name="step_up"),
    path("referrals/<str:reference>/return/", views.ReferralReturnApi.as_view(), name="return"),
    path(
        "referrals/<str:reference>/edt-acknowledge/",
        views.ReferralEdtAcknowledgeApi.as_view(),
        name="edt_acknowledge",
    ),
]
