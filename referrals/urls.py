from django.urls import path

from . import views

app_name = "referrals"

TOPIC_PATHS = {
    "route": "who",
    "referrer": "about-you",
    "concern": "concern",
    "support": "what-has-been-tried",
    "voices": "views",
    "consent": "consent",
}

urlpatterns = [
    path("", views.start, name="start"),
    path("record/", views.staff_start, name="record"),
    path("consultation/", views.consultation, name="consultation"),
    *[path(f"{slug}/", views.topic, {"topic": topic}, name=topic) for topic, slug in TOPIC_PATHS.items()],
    path("check/", views.check, name="check"),
    path("confirmation/", views.confirmation, name="confirmation"),
]
for kind in ("children", "adults"):
    urlpatterns += [
        path(f"{kind}/", views.people, {"kind": kind}, name=kind),
        path(f"{kind}/add/", views.person, {"kind": kind}, name=f"{kind}_add"),
        path(f"{kind}/<int:index>/", views.person, {"kind": kind}, name=f"{kind}_change"),
        path(f"{kind}/<int:index>/remove/", views.person_remove, {"kind": kind}, name=f"{kind}_remove"),
    ]
