"""Council policy presets, each reproducing that council's published rules (../shared/seeds/).

Where a council's document is silent the preset takes a default and says so in ``defaults_taken``.
"""

from __future__ import annotations

COMMON_DEFAULTS: dict = {
    "bank_holiday_subdiv": "ENG",
    "recall_window_days": 28,
    "letter_deadline_working_days": 1,
    "visit_working_days": 5,
    "assessment_working_days": 45,
    "icpc_working_days": 15,
    "strategy_discussion_hours": 24,
    "consent_rules": {
        "red": "not_required_if_risk",
        "amber": "consent_or_reason",
        "green": "consent_required",
        "blue": "none",
    },
    "default_agencies": {"red": ["police", "health", "education"], "amber": ["police", "health", "education"]},
    "domestic_abuse_timescales": {
        "high": {"amount": 0, "unit": "same_working_day"},
        "medium": {"amount": 3, "unit": "working_days"},
        "standard": {"amount": 7, "unit": "working_days"},
    },
}

PRESETS: dict[str, dict] = {
    "durham": {
        "council_name": "Durham County Council",
        "council_address": "County Hall, Durham, DH1 5UL",
        "working_hours": {
            "mon": ["08:30", "17:00"],
            "tue": ["08:30", "17:00"],
            "wed": ["08:30", "17:00"],
            "thu": ["08:30", "17:00"],
            "fri": ["08:30", "16:30"],
            "sat": None,
            "sun": None,
        },
        "rag_timescales": {
            "red": {"amount": 4, "unit": "clock_hours"},
            "amber": {"amount": 1, "unit": "working_days"},
            "green": {"amount": 1, "unit": "working_days"},
        },
        "partner_timescales": {
            "red": {"amount": 4, "unit": "clock_hours"},
            "amber": {"amount": 24, "unit": "clock_hours"},
        },
        "decision_deadline": {"amount": 1, "unit": "working_days"},
        "edt_phone": "03000 267 979",
        "edt_hours_text": "Outside MASH hours: evenings, weekends and bank holidays",
        "defaults_taken": ["partner response times: not published; Wolverhampton's 4h/24h used"],
    },
}


def preset(council: str) -> dict:
    return {**COMMON_DEFAULTS, **PRESETS[council]}
