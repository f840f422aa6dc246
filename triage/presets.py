"""Council policy presets, each reproducing that council's published rules.

Sources are the seed documents in ../shared/seeds/ (see INDEX.md), cited by number:
  000 Derby City reception service leaflet      001 Durham MASH questions and answers
  002 Wolverhampton MASH leaflet                003 Derby City board report (29 February 2016)
  004 Cambridgeshire MASH and assessment slides
and ../shared/reference/statutory-facts.md ("WT": Working Together; CIN census) for national timescales.

Where a council's document is silent the preset takes a default and says so, in plain words, in
``defaults_taken``; the administrator sees that list in the admin and can change any value (which
makes a new policy version).
"""

from __future__ import annotations

from typing import Any

WEEKDAY_ONLY = {"sat": None, "sun": None}


def _hours(mon_thu: list[str], fri: list[str]) -> dict[str, list[str] | None]:
    return {"mon": mon_thu, "tue": mon_thu, "wed": mon_thu, "thu": mon_thu, "fri": fri, **WEEKDAY_ONLY}


# The national and shared defaults. Each key is overridden by a council that publishes its own value;
# otherwise the preset names it in defaults_taken.
COMMON_DEFAULTS: dict[str, Any] = {
    "bank_holiday_subdiv": "ENG",  # England and Wales bank holidays; all four councils are in England
    "closure_days": [],  # no seed publishes closure days beyond bank holidays
    "recall_window_days": 28,  # 002: "closed within the last 28 days" -> the allocated worker
    "letter_deadline_working_days": 1,  # 001: letter "within one working day"; WT: acknowledge within 1 WD
    "decision_deadline": {"amount": 1, "unit": "working_days"},  # WT: decision within 1 working day
    # The letter reports the decision, so its clock starts there unless a council says otherwise.
    "letter_clock_starts": "decision",
    # A referrer's "significant harm now" at intake: decided within the Red timescale (002's Red
    # example is "serious injury to the child", the intake form's own example of significant harm).
    "serious_concerns_decision": {"amount": 4, "unit": "clock_hours"},
    "level_of_need_routes": {},  # no routing by level of need unless the council publishes one
    "cse_risk_matrix": "",  # no CSE risk matrix asked for unless the council publishes one
    "visit_working_days": 5,  # 004: visit "within 5 working days of the referral being allocated"
    "assessment_working_days": 45,  # WT: assessment concluded within 45 working days of referral
    "icpc_working_days": 15,  # WT / CIN census InitialCPCtarget: 15 WD after the strategy discussion
    # WT: the first review conference within 3 months of the initial conference, then at most 6-monthly.
    "cp_first_review_months": 3,
    "cp_review_interval_months": 6,
    "strategy_discussion_hours": 24,  # 004: "a strat discussion should take place within 24 hours"
    # 004: Red - not needed where seeking it puts the child at significant risk; Amber - consent or a
    # clear reason why not; Green - consent-based only; Blue - closure and signposting.
    "consent_rules": {
        "red": "not_required_if_risk",
        "amber": "consent_or_reason",
        "green": "consent_required",
        "blue": "none",
    },
    # 002: "for reds and ambers the Social Work Unit Manager will decide what agency information is
    # required"; the agencies in the hub are the suggestions the manager starts from.
    "default_agencies": {
        "red": ["police", "health", "education"],
        "amber": ["police", "health", "education"],
    },
    # 003 para 4.11: high risk discussed on the day of referral (Mon-Fri) and the next working day
    # after a weekend or bank holiday; medium screened within 3 days, standard within 7 days.
    "domestic_abuse_timescales": {
        "high": {"amount": 0, "unit": "same_working_day"},
        "medium": {"amount": 3, "unit": "working_days"},
        "standard": {"amount": 7, "unit": "working_days"},
    },
    # 002: Red 4 hours (or immediate), Amber 24 hours, Green 72 hours. Red runs round the clock.
    "rag_timescales": {
        "red": {"amount": 4, "unit": "clock_hours"},
        "amber": {"amount": 24, "unit": "clock_hours", "starts": "next_working_moment"},
        "green": {"amount": 72, "unit": "clock_hours", "starts": "next_working_moment"},
    },
    "warning_lead_minutes": 60,
    # How long a referral not progressed for lack of consent keeps its personal data (D_RETENTION).
    "no_consent_retention_days": 30,
    # No seed says how emergency access is limited: a few hours, a few live grants, a few requests.
    "break_glass_hours": 4,
    "break_glass_max_live_grants": 3,
    "break_glass_requests_per_hour": 10,
    # 004: "All social workers receive 10 day management oversight" (D_OVERSIGHT elsewhere).
    "management_oversight_working_days": 10,
    # What only some councils publish: a service with its own hours, a duty rota, triage meetings, MARAC.
    "service_hours": {},
    "duty_rota_allocation": "off",
    "domestic_abuse_meetings": {},
    "early_help_allocation_meeting": {},
    "marac_required_for_high": False,
    # Only the people and the question go to an agency unless a council publishes more (002 does).
    "partner_shares": [],
    "recall_window_counts_to": "receipt",
    "clock_hours_due_out_of_hours": "as_falls",
    # 004: "Consent not required where it will place a child at significant risk".
    "risk_rule_reason": "risk_reason",
}

# The same wording for the same default, so the README table and the admin agree.
D_RAG = "RAG timescales: not published; Wolverhampton's (002) Red 4 h, Amber 24 h, Green 72 h taken"
D_OOH_START = (
    "out-of-hours start: not published; non-Red clocks start at the next working moment, as in "
    "Cambridgeshire (004: 'your referral will wait to be reviewed the next working day')"
)
D_PARTNER = "partner response times: not published; the council's own RAG timescales taken (Red and Amber)"
D_DECISION = "decision time: not published; Working Together's one working day taken (statutory-facts.md)"
D_RECALL = "recall window: not published; Wolverhampton's 28 days taken (002)"
D_LETTER = (
    "outcome letter: not published; Durham's one working day taken (001), counted from the decision "
    "the letter reports"
)
D_SERIOUS = (
    "serious concerns: no decision time published for a referral that says significant harm at intake; "
    "the Red timescale (4 clock hours from receipt) taken, so it is decided no slower than a Red one "
    "is dealt with"
)
D_LEVELS = "levels of need: none published; the level (1-4) is recorded and routing follows the RAG alone"
D_CSE = "CSE risk matrix: none published; not asked for"
D_CONSENT = "consent rules: not published; Cambridgeshire's rules taken (004)"
D_DOMESTIC = "domestic abuse timescales: not published; Derby's same day / 3 / 7 working days taken (003)"
D_DOMESTIC_DAYS = (
    "domestic abuse: 003 says '3 days' and '7 days'; read as working days (screened by a team manager)"
)
D_VISIT = "visit: not published; Cambridgeshire's 5 working days from allocation taken (004)"
D_STRATEGY = "strategy discussion: not published; Cambridgeshire's 24 hours taken (004)"
D_STATUTORY = (
    "assessment 45 and initial conference 15 working days, review conferences within 3 then every 6"
    " months: national timescales (Working Together)"
)
D_CLOSURES = "closure days: none published; bank holidays only"
D_RETENTION = (
    "no-consent retention: not published; the personal data of a referral not progressed for lack of "
    "consent is kept 30 days, then erased (the reference, dates and codes stay for statistics)"
)
D_OVERSIGHT = (
    "management oversight: not published; Cambridgeshire's team manager's note every 10 working days "
    "of an allocated case taken (004)"
)
D_EDT_PHONE = "emergency duty team number: not in the seed document; left blank, to be set before going live"
D_NO_MEETINGS = (
    "domestic abuse triage meetings: none published; medium-risk notifications are screened from the queue"
)
D_NO_ROTA = "duty rota: none published; the MASH lead chooses the assessment team for each outcome"
D_NO_MARAC = "MARAC: not published; a referral can be recorded, none is required"
D_ADDRESS = "council address: not in the seed document; the council's public main office address taken"
D_BREAK_GLASS = (
    "break-glass: not published; a grant lasts 4 hours, at most 3 live grants per user and 10 requests "
    "an hour taken"
)
D_SHARES = (
    "sharing with partners: not published; an information request shares the people and the question "
    "only (the lead writes into the question what the agency needs to know)"
)
D_RECALL_COUNT = (
    "recall window: 'closed within the last 28 days' read as counted back from the referral's receipt, "
    "not from the day of the check, so a check made later routes the referral as it stood on arrival"
)
D_DUE_AS_FALLS = (
    "clock-hour deadlines out of hours: not published; kept as they fall (a 24 h or 72 h deadline on a "
    "Saturday stays on Saturday); round-the-clock Red is never moved"
)
D_RISK_REASON = (
    "Red without consent: taken with Cambridgeshire's consent rules (004: 'Consent not required where "
    "it will place a child at significant risk'), so the risk reason specifically, not any reason"
)
D_ALLOCATION_MEETING = (
    "One Point allocation meeting: 001 says level 2 needs are allocated at a weekly meeting but gives "
    "no day or time; Wednesday 10am taken (a bank holiday Wednesday: the next week's meeting)"
)

PRESETS: dict[str, dict[str, Any]] = {
    "derby": {
        "council_name": "Derby City Council",
        "council_address": "The Council House, Corporation Street, Derby, DE1 2FS",
        "council_phone": "01332 641172",  # 000: "Telephone 01332 641172"
        # 000: Careline covers "Monday to Friday between 5pm till 9am and 24 hour cover at weekends",
        # so the daytime service runs 09:00-17:00 on weekdays.
        "working_hours": _hours(["09:00", "17:00"], ["09:00", "17:00"]),
        "edt_phone": "01332 956606",  # 000: Careline
        "edt_hours_text": "Careline: 5pm to 9am Monday to Friday, 24 hours at weekends and on bank holidays",
        # 000: "Professionals Consultation 07812 300329, 10am - 4pm".
        "service_hours": {
            "consultation_line": {
                "name": "Professionals' consultation line",
                "phone": "07812 300329",
                "hours": _hours(["10:00", "16:00"], ["10:00", "16:00"]),
            }
        },
        # 000: "There are three teams of social workers undertaking a duty system"; S17 and S47 work
        # "referred to one of our three assessment teams".
        "duty_rota_allocation": "suggest",
        # 000: "twice weekly meetings of social workers, police, education and health"; 003 1.3:
        # triage meetings "looking at medium risk domestic abuse incidents".
        "domestic_abuse_meetings": {
            "days": ["tue", "thu"],
            "at": "10:00",
            "agencies": ["social_care", "police", "education", "health"],
            "agenda_grades": ["medium"],
        },
        # 000: the triage team "screen all referrals and support the MARAC process".
        "marac_required_for_high": True,
        "defaults_taken": [
            D_RAG,
            D_OOH_START,
            D_PARTNER,
            D_DECISION,
            D_RECALL,
            D_LETTER,
            D_CONSENT,
            D_DOMESTIC_DAYS,
            D_VISIT,
            D_STRATEGY,
            D_RETENTION,
            D_OVERSIGHT,
            D_STATUTORY,
            D_CLOSURES,
            D_ADDRESS,
            D_BREAK_GLASS,
            D_SERIOUS,
            D_LEVELS,
            D_CSE,
            "bank holidays: 000 says Careline works '365 days a year', so bank holidays are out of hours",
            "consultation line: 000 gives '10am - 4pm' without days; Monday to Friday taken, closed on "
            "bank holidays (as the MASH)",
            "domestic abuse triage meetings: 000 says 'twice weekly' and 003 'weekly', neither gives the "
            "days or time; twice weekly on Tuesday and Thursday at 10:00 taken",
            "duty rota: 000 names a duty system of three assessment teams, not how it turns; the rota is "
            "kept day by day by a manager and today's team is suggested for new S17 and S47 work",
            "MARAC: 000 says the triage team 'support the MARAC process'; read as every high-risk "
            "notification being referred to MARAC (recorded with date and MARAC reference)",
            D_SHARES,
            D_RECALL_COUNT,
            D_DUE_AS_FALLS,
            D_RISK_REASON,
        ],
    },
    "durham": {
        "council_name": "Durham County Council",
        "council_address": "County Hall, Durham, DH1 5UL",
        "council_phone": "03000 267979",  # 001: First Contact 03000 26 79 79
        # 001: "8.30am - 5.00pm Monday - Thursday, and 8.30am - 4.30pm on Fridays"
        "working_hours": _hours(["08:30", "17:00"], ["08:30", "16:30"]),
        # 001: "some decisions in no more than four hours where there are serious concerns"; "all other
        # decisions will be made within one working day following receipt of the referral".
        "rag_timescales": {
            "red": {"amount": 4, "unit": "clock_hours"},
            "amber": {"amount": 1, "unit": "working_days"},
            "green": {"amount": 1, "unit": "working_days"},
        },
        "decision_deadline": {"amount": 1, "unit": "working_days"},  # 001
        # 001: "no more than four hours where there are serious concerns for the safety of a child":
        # read as a referral that says at intake that a child is at risk of significant harm.
        "serious_concerns_decision": {"amount": 4, "unit": "clock_hours"},
        # 001: "The letter will be sent from First Contact within one working day of the referral being made"
        "letter_clock_starts": "referral_received",
        # 001: "level 2 needs ... shared with the One Point duty officer"; "level 3 or level 4 needs
        # ... will go to the MASH for further information sharing and risk assessment".
        "level_of_need_routes": {"2": "early_help", "3": "mash", "4": "mash"},
        # 001: "Professionals are expected to have completed the risk matrix ... where there is concern
        # about child sexual exploitation": expected, shown as missing, not holding the decision.
        "cse_risk_matrix": "expected",
        # 001: level 2 needs go to One Point and are "considered for allocation to a lead professional
        # at the relevant weekly allocation meeting"; no day or time is given (D_ALLOCATION_MEETING).
        "early_help_allocation_meeting": {"day": "wed", "at": "10:00"},
        "edt_phone": "",
        # 001: "Out of office hours the Emergency Duty Team operates an emergency social work service"
        "edt_hours_text": "Emergency Duty Team: outside MASH hours, at weekends and on bank holidays",
        "defaults_taken": [
            D_PARTNER,
            D_RECALL,
            D_CONSENT,
            D_DOMESTIC,
            D_VISIT,
            D_STRATEGY,
            D_RETENTION,
            D_OVERSIGHT,
            D_STATUTORY,
            D_CLOSURES,
            D_EDT_PHONE,
            D_NO_MEETINGS,
            D_NO_ROTA,
            D_NO_MARAC,
            D_ADDRESS,
            D_BREAK_GLASS,
            "level 1: 001 routes levels 2 to 4 only; a level 1 child follows the RAG",
            "serious concerns: 001's 'serious concerns for the safety of a child' read as the referrer "
            "saying at intake that a child is at risk of significant harm (or a high-risk domestic "
            "abuse grade)",
            "CSE risk matrix: 001 names it but not its fields; its risk level (low, medium, high), who "
            "completed it, when, and a summary are recorded; 001 says 'expected', so a missing matrix is "
            "shown but does not hold the threshold decision",
            D_SHARES,
            D_RECALL_COUNT,
            (
                "clock-hour deadlines out of hours: Amber and Green are working days (001), so only Red "
                "runs in clock hours, round the clock; kept as they fall"
            ),
            D_RISK_REASON,
            D_ALLOCATION_MEETING,
        ],
    },
    "wolverhampton": {
        "council_name": "City of Wolverhampton Council",
        "council_address": "Civic Centre, St Peter's Square, Wolverhampton, WV1 1SH",
        "council_phone": "01902 555392",  # 002: MASH contact number
        # 002: "Daytime 8.30-5.00pm (Mon-Thurs) and 4.30pm (Fri)"
        "working_hours": _hours(["08:30", "17:00"], ["08:30", "16:30"]),
        # 002: rag_timescales as COMMON_DEFAULTS (they come from this document); recall window 28 days.
        # 002: "Housing", "Recovery Near You" (substance misuse), "Probation" and "Wolverhampton Homes"
        # sit in the information gathering hub with police and health.
        "default_agencies": {
            "red": ["police", "health", "housing", "probation", "substance_misuse"],
            "amber": ["police", "health", "housing", "probation", "substance_misuse"],
        },
        "edt_phone": "",
        "edt_hours_text": "Outside MASH daytime hours (8.30am to 5pm Monday to Thursday, 4.30pm Friday)",
        # 002: the information request "will include the referral information and the RAG rating that
        # has been applied".
        "partner_shares": ["rag", "referral_information"],
        "defaults_taken": [
            D_OOH_START,
            D_PARTNER,
            D_DECISION,
            D_LETTER,
            D_CONSENT,
            D_DOMESTIC,
            D_VISIT,
            D_STRATEGY,
            D_RETENTION,
            D_OVERSIGHT,
            D_STATUTORY,
            D_CLOSURES,
            D_EDT_PHONE,
            D_NO_MEETINGS,
            D_NO_ROTA,
            D_NO_MARAC,
            D_ADDRESS,
            D_BREAK_GLASS,
            D_SERIOUS,
            D_LEVELS,
            D_CSE,
            (
                "recall window: 002 'closed within the last 28 days' read as counted back from the "
                "referral's receipt ('When the MASH receives a referral ... first check'), not from the "
                "day of the check"
            ),
            (
                "clock-hour deadlines out of hours: 002 gives Amber 24 hours and Green 72 hours as hours, "
                "not working time; kept as they fall (the clocks still start at the next working moment)"
            ),
            D_RISK_REASON,
        ],
    },
    "cambridgeshire": {
        "council_name": "Cambridgeshire County Council",
        "council_address": "New Shire Hall, Emery Crescent, Alconbury Weald, Huntingdon, PE28 4YE",
        "council_phone": "",
        # 004: "MASH/Assessment work 8.45am- 5.20pm or 4.20pm on a Friday"
        "working_hours": _hours(["08:45", "17:20"], ["08:45", "16:20"]),
        # 004: consent rules, 5-working-day visit, 24-hour strategy discussion (from the decision to
        # hold one) and 10-day management oversight are COMMON_DEFAULTS' values, taken from this
        # document; 004: outside hours only significant harm goes to EDT, the rest "will wait to be
        # review[ed] the next working day" -> non-Red clocks start then.
        # 004: a referral not progressed for lack of consent "will NOT be recorded on our system".
        "no_consent_retention_days": 0,
        "edt_phone": "",
        "edt_hours_text": (
            "Emergency Duty Team (Cambridgeshire and Peterborough): outside 8.45am to 5.20pm Monday to "
            "Thursday and 4.20pm Friday, including bank holidays; only significant harm goes to them"
        ),
        # 004: "Customer Service Centre (CSC) work 9am- 5pm Monday- Friday".
        "service_hours": {
            "customer_services_centre": {
                "name": "Customer Service Centre",
                "phone": "",
                "hours": _hours(["09:00", "17:00"], ["09:00", "17:00"]),
            }
        },
        # 004: outside hours only significant harm goes to the EDT; the rest waits for the next working
        # day, so an Amber or Green deadline that falls out of hours moves to the next working moment.
        "clock_hours_due_out_of_hours": "next_working_moment",
        "defaults_taken": [
            D_RAG,
            D_PARTNER,
            D_DECISION,
            D_RECALL,
            D_LETTER,
            D_DOMESTIC,
            D_STATUTORY,
            D_CLOSURES,
            D_EDT_PHONE,
            D_NO_MEETINGS,
            D_NO_ROTA,
            D_NO_MARAC,
            D_ADDRESS,
            D_BREAK_GLASS,
            D_SERIOUS,
            D_LEVELS,
            D_CSE,
            "council phone: 004 gives only the Early Help Hub (01480 376 666); referrals: online form",
            (
                "no-consent retention: 004 says such a referral 'will NOT be recorded on our system'; "
                "read as 0 days: its personal data is erased when it is returned, and only the "
                "reference, dates and codes stay, for statistics and the audit trail"
            ),
            (
                "management oversight: 004 says '10 day'; read as 10 working days, from the "
                "allocation and then from each team manager's oversight note"
            ),
            (
                "strategy discussion: 004's 24 hours read as clock hours from the decision to hold "
                "one (MASH lead, or the assessment team's manager after allocation)"
            ),
            "Customer Service Centre: 004 gives its hours, not its number; left blank, and closed on bank "
            "holidays (004: EDT covers 'outside of the above hours incl bank holidays')",
            D_SHARES,
            D_RECALL_COUNT,
            (
                "clock-hour deadlines out of hours: moved to the next working moment, read from 004 "
                "(outside hours 'your referral will wait to be reviewed the next working day'); Red is "
                "never moved"
            ),
            (
                "Red without consent: 004 'Consent not required where it will place a child at "
                "significant risk' read as needing the risk reason specifically; any other reason is "
                "refused"
            ),
        ],
    },
}


def preset(council: str) -> dict[str, Any]:
    """The full settings of ``council``'s preset, ready for ``policy_version_create``."""
    settings = {**COMMON_DEFAULTS, **PRESETS[council]}
    if "partner_timescales" not in settings:  # no seed publishes them: D_PARTNER
        rag = settings["rag_timescales"]
        settings["partner_timescales"] = {key: dict(rag[key]) for key in ("red", "amber")}
    return settings
