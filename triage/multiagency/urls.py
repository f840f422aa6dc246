"""The MASH stage's pages, mounted at /mash/.

The public challenge page is in ``public_urlpatterns``, mounted under /refer/ (a public prefix the
second-factor middleware exempts) as the "multiagency_public" namespace.
"""

from django.urls import path

from triage.multiagency import views

app_name = "multiagency"

urlpatterns = [
    path("team-queue/", views.team_queue, name="team_queue"),
    path("duty-rota/", views.duty_rota_page, name="duty_rota"),
    path("challenges/<uuid:public_id>/", views.challenge_respond, name="challenge_respond"),
    path("<ref:reference>/requests/", views.requests_page, name="requests"),
    path("<ref:reference>/requests/<uuid:public_id>/chase/", views.request_chase, name="request_chase"),
    path(
        "<ref:reference>/requests/<uuid:public_id>/resend-link/",
        views.request_resend_link,
        name="request_resend_link",
    ),
    path("<ref:reference>/discussion/", views.discussion_page, name="discussion"),
    path("<ref:reference>/strategy/", views.strategy_page, name="strategy"),
    path("<ref:reference>/outcome/", views.outcome_page, name="outcome"),
    path("<ref:reference>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("<ref:reference>/allocate/", views.allocate_page, name="allocate"),
]


public_urlpatterns = ([path("", views.challenge_page, name="challenge")], "multiagency_public")
