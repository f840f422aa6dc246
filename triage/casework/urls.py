"""Casework pages, mounted at /casework/."""

from django.urls import path

from triage.casework import views

app_name = "casework"

STEP_PATHS = {
    "assessment_start": "assessment/",
    "assessment_authorise": "assessment/authorise/",
    "s47_start": "s47/",
    "icpc_record": "s47/conference/",
    "cin_close": "close/",
    "oversight_record": "oversight/",
    "strategy_decide": "strategy/",
    "strategy_record": "strategy/record/",
}

urlpatterns = [
    path("<ref:reference>/", views.record_page, name="record"),
    *(
        path(f"<ref:reference>/{route}", views.step_page(name), name=name)
        for name, route in STEP_PATHS.items()
    ),
]
