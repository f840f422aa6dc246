"""Pages for the census items beside the assessment and the enquiry: the child's UPN, disabilities,
birth and death; child in need plans; child protection plans. For the allocated worker and the
team's manager only (anyone else: 404): the table of steps, each a form and one action, that
``triage.casework.views.step_page`` serves as it serves the casework ones.
"""

from __future__ import annotations

from triage.casework import actions_census as census
from triage.casework import forms_census as forms
from triage.casework import selectors_census as selectors
from triage.casework.views import _Step

STEPS = {
    "assessment_internal_review": _Step(
        "triage.assessment_internal_review_view",
        "Record an assessment's internal review",
        "The internal review has been recorded.",
        lambda r, data: forms.AssessmentInternalReviewForm(
            data, assessments=selectors.assessments_awaiting_review(r)
        ),
        lambda r, fields, by: census.assessment_internal_review(by=by, **fields),
        "No open assessment on this referral is waiting for its internal review.",
    ),
    "s47_emergency_protection": _Step(
        "triage.s47_emergency_protection_view",
        "Record emergency protection during a section 47 enquiry",
        "The emergency protection answer has been recorded.",
        lambda r, data: forms.S47EmergencyProtectionForm(data, enquiries=selectors.enquiries(r)),
        lambda r, fields, by: census.s47_emergency_protection_record(by=by, **fields),
        "No section 47 enquiry is recorded on this referral.",
    ),
    "child_identifiers": _Step(
        "triage.child_identifiers_view",
        "Record a child's UPN",
        "The UPN has been recorded.",
        lambda r, data: forms.ChildIdentifiersForm(data, children=selectors.all_children(r)),
        lambda r, fields, by: census.child_identifiers_record(by=by, **fields),
    ),
    "child_disabilities": _Step(
        "triage.child_disabilities_view",
        "Record a child's disabilities",
        "The disabilities have been recorded.",
        lambda r, data: forms.ChildDisabilitiesForm(data, children=selectors.all_children(r)),
        lambda r, fields, by: census.child_disabilities_record(by=by, **fields),
    ),
    "child_birth": _Step(
        "triage.child_birth_view",
        "Record the birth of an unborn child",
        "The birth has been recorded.",
        lambda r, data: forms.ChildBirthForm(data, children=selectors.unborn_children(r)),
        lambda r, fields, by: census.child_birth_record(by=by, **fields),
        "No child of this referral is recorded as unborn.",
    ),
    "child_death": _Step(
        "triage.child_death_view",
        "Record the death of a child",
        "The death has been recorded.",
        lambda r, data: forms.ChildDeathForm(data, children=selectors.living_children(r)),
        lambda r, fields, by: census.child_death_record(by=by, **fields),
        "No child of this referral is recorded as born and alive.",
    ),
    "cin_plan_start": _Step(
        "triage.cin_plan_start_view",
        "Start a child in need plan",
        "The child in need plan has been started.",
        lambda r, data: forms.CinPlanStartForm(data, children=selectors.open_episode_children(r)),
        lambda r, fields, by: census.cin_plan_start(r, by=by, **fields),
        "Every child in need episode on this referral is closed.",
    ),
    "cin_plan_review": _Step(
        "triage.cin_plan_review_view",
        "Record a child in need plan review",
        "The review has been recorded.",
        lambda r, data: forms.CinPlanReviewForm(data, plans=selectors.open_cin_plans(r)),
        lambda r, fields, by: census.cin_plan_review(by=by, **fields),
        "No child in need plan is open on this referral.",
    ),
    "cin_plan_end": _Step(
        "triage.cin_plan_end_view",
        "End a child in need plan",
        "The child in need plan has ended.",
        lambda r, data: forms.CinPlanEndForm(data, plans=selectors.open_cin_plans(r)),
        lambda r, fields, by: census.cin_plan_end(by=by, **fields),
        "No child in need plan is open on this referral.",
    ),
    "cp_plan_start": _Step(
        "triage.cp_plan_start_view",
        "Start a child protection plan",
        "The child protection plan has been started.",
        lambda r, data: forms.CpPlanStartForm(data, enquiries=selectors.conferences_awaiting_plan(r)),
        lambda r, fields, by: census.cp_plan_start(by=by, **fields),
        "No initial conference on this referral decided on a child protection plan that is not yet recorded.",
    ),
    "cp_plan_review": _Step(
        "triage.cp_plan_review_view",
        "Record a child protection review conference",
        "The review conference has been recorded.",
        lambda r, data: forms.CpPlanReviewForm(data, plans=selectors.open_cp_plans(r)),
        lambda r, fields, by: census.cp_plan_review(by=by, **fields),
        "No child protection plan is open on this referral.",
    ),
    "cp_visit": _Step(
        "triage.cp_visit_view",
        "Record a statutory visit to a child on a child protection plan",
        "The visit has been recorded.",
        lambda r, data: forms.CpVisitForm(data, plans=selectors.open_cp_plans(r)),
        lambda r, fields, by: census.cp_visit_record(by=by, **fields),
        "No child protection plan is open on this referral.",
    ),
    "cp_plan_category": _Step(
        "triage.cp_plan_category_view",
        "Change a child protection plan's category of abuse",
        "The category of abuse has been changed.",
        lambda r, data: forms.CpPlanCategoryForm(data, plans=selectors.open_cp_plans(r)),
        lambda r, fields, by: census.cp_plan_category_change(by=by, **fields),
        "No child protection plan is open on this referral.",
    ),
    "cp_plan_end": _Step(
        "triage.cp_plan_end_view",
        "End a child protection plan",
        "The child protection plan has ended.",
        lambda r, data: forms.CpPlanEndForm(data, plans=selectors.open_cp_plans(r)),
        lambda r, fields, by: census.cp_plan_end(by=by, **fields),
        "No child protection plan is open on this referral.",
    ),
}
