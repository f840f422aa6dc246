"""Casework pages, mounted at /casework/."""

from django.urls import path

from triage.casework import views, views_census

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

# The census items beside them: the child's UPN, disabilities, birth and death, and the plans.
CENSUS_STEP_PATHS = {
    "assessment_internal_review": "assessment/review/",
    "s47_emergency_protection": "s47/emergency-protection/",
    "child_identifiers": "child/upn/",
    "child_disabilities": "child/disabilities/",
    "child_birth": "child/birth/",
    "child_death": "child/death/",
    "cin_plan_start": "cin-plan/",
    "cin_plan_review": "cin-plan/review/",
    "cin_plan_end": "cin-plan/end/",
    "cp_plan_start": "cp-plan/",
    "cp_plan_review": "cp-plan/review/",
    "cp_visit": "cp-plan/visit/",
    "cp_plan_category": "cp-plan/category/",
    "cp_plan_end": "cp-plan/end/",
}

urlpatterns = [
    path("<ref:reference>/", views.record_page, name="record"),
    *(
        path(f"<ref:reference>/{route}", views.step_page(name, views.STEPS[name]), name=name)
        for name, route in STEP_PATHS.items()
    ),
    *(
        path(f"<ref:reference>/{route}", views.step_page(name, views_census.STEPS[name]), name=name)
        for name, route in CENSUS_STEP_PATHS.items()
    ),
]
