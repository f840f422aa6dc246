"""Mounted at /triage/statutory/ (before triage.urls, whose ``<reference>/`` would take "statutory")."""

from django.urls import path

from . import statutory_views as views

app_name = "statutory"

STEP_PATHS = {
    "assessment_start": "assessment/",
    "assessment_authorise": "assessment/authorise/",
    "s47_start": "s47/",
    "icpc_record": "s47/conference/",
    "cin_close": "close/",
}

urlpatterns = [
    path("<ref:reference>/", views.record_page, name="record"),
    *(
        path(f"<ref:reference>/{route}", views.step_page(name), name=name)
        for name, route in STEP_PATHS.items()
    ),
]
