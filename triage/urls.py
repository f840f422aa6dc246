from django.urls import path

from . import views
from .domestic_abuse import views as domestic_abuse_views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("early-help/", views.early_help_queue, name="early_help"),
    path("edt/", views.edt_queue, name="edt"),
    path("domestic-abuse/", views.domestic_abuse_queue, name="domestic_abuse"),
    path("<ref:reference>/", views.referral_detail, name="referral"),
    path("<ref:reference>/claim/", views.referral_claim, name="claim"),
    path("<ref:reference>/release/", views.referral_release, name="release"),
    path("<ref:reference>/reassign/", views.referral_reassign, name="reassign"),
    path("<ref:reference>/decide/", views.referral_decide, name="decide"),
    path("<ref:reference>/change-rag/", views.referral_change_rag, name="change_rag"),
    path("<ref:reference>/cse-risk-matrix/", views.referral_cse_matrix, name="cse_matrix"),
    path("<ref:reference>/step-up/", views.referral_step_up, name="step_up"),
    path("<ref:reference>/return/", views.referral_return, name="return"),
    path("<ref:reference>/marac/", domestic_abuse_views.marac_referral, name="marac"),
    path("<ref:reference>/edt-acknowledge/", views.referral_edt_acknowledge, name="edt_acknowledge"),
]
