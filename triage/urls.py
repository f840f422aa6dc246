from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("early-help/", views.early_help_queue, name="early_help"),
    path("edt/", views.edt_queue, name="edt"),
    path("domestic-abuse/", views.domestic_abuse_queue, name="domestic_abuse"),
    path("<str:reference>/", views.referral_detail, name="referral"),
    path("<str:reference>/claim/", views.referral_claim, name="claim"),
    path("<str:reference>/release/", views.referral_release, name="release"),
    path("<str:reference>/reassign/", views.referral_reassign, name="reassign"),
    path("<str:reference>/decide/", views.referral_decide, name="decide"),
    path("<str:reference>/change-rag/", views.referral_change_rag, name="change_rag"),
    path("<str:reference>/step-up/", views.referral_step_up, name="step_up"),
    path("<str:reference>/return/", views.referral_return, name="return"),
    path("<str:reference>/edt-acknowledge/", views.referral_edt_acknowledge, name="edt_acknowledge"),
]
