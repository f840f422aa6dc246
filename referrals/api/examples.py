"""The documented example request (also the tests' starting point, so the example is known to work)."""

EXAMPLE_REFERRAL = {
    "referrer_name": "PC Sam Jones",
    "referrer_role": "Domestic abuse officer",
    "referrer_organisation": "Durham Constabulary",
    "referrer_email": "sam.jones@police.example",
    "referrer_phone": "0191 496 0000",
    "concerns": "Police attended a domestic incident; the child was present.",
    "risks": "Repeat incidents; the child witnessed an assault.",
    "why_now": "Incident on 21 November.",
    "domestic_abuse_risk": "high",
    "early_help": "not_known",
    "gillick_considered": "not_known",
    "parents_aware": "yes",
    "safe_to_contact_parents": "no",
    "consent": "not_sought",
    "consent_notes": "Seeking consent could put the child at risk of significant harm.",
    "children": [
        {
            "unborn": "no",
            "first_name": "Amy",
            "last_name": "Smith",
            "date_of_birth": "2018-04-02",
            "sex": "F",
            "ethnicity": "WBRI",
        }
    ],
    "adults": [
        {
            "first_name": "Jo",
            "last_name": "Smith",
            "relationship": "Mother",
            "lives_with_children": "yes",
            "has_parental_responsibility": "yes",
            "sex": "F",
            "ethnicity": "WBRI",
        }
    ],
}
