"""Domestic abuse triage meetings, mounted at /triage/domestic-abuse/meetings/ (the MARAC page is
per referral, in triage.urls)."""

from django.urls import path

from . import views

app_name = "domestic_abuse"

urlpatterns = [
    path("", views.next_meeting, name="next_meeting"),
    path("<str:day>/", views.meeting_minutes, name="minutes"),
]
