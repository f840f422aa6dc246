from django.urls import path

from . import audit_views, break_glass_views, sso_views, views

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/sso/start/", sso_views.SsoStartView.as_view(), name="sso_start"),
    path("accounts/sso/callback/", sso_views.SsoCallbackView.as_view(), name="sso_callback"),
    path("accounts/two-factor/", views.verify, name="two_factor_verify"),
    path("accounts/two-factor/set-up/", views.setup, name="two_factor_setup"),
    path("accounts/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("break-glass/", break_glass_views.request_access, name="break_glass_request"),
    path("break-glass/review/", break_glass_views.review_list, name="break_glass_review"),
    path("break-glass/review/<int:grant_id>/", break_glass_views.review, name="break_glass_review_grant"),
]
