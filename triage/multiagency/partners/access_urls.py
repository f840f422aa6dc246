"""The one-time link's pages, mounted at /partner-access/ (a public prefix: security.middleware)."""

from django.urls import path

from . import access_views as views

app_name = "partner_access"

urlpatterns = [
    path("<str:token>/", views.access_start, name="start"),
    path("<str:token>/code/", views.access_code, name="code"),
    path("<str:token>/request/", views.access_request, name="request"),
    path("<str:token>/done/", views.access_done, name="done"),
]
