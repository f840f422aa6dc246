"""Fill a PostgreSQL database with realistic volumes in a few set-based statements (no Python loop
over rows): referrals, their children, adults, threshold decisions, information requests, clocks and
outcomes. Five years of a busy council's front door, the newest 2% still open in the MASH.

Called by bench/run.py; reuses what it finds (``referrals_referral`` already at the target count).
"""

from __future__ import annotations

import time

from django.db import connection, transaction

# One referral every ~158 s over five years; the newest OPEN_SHARE are still in the MASH queue.
SPAN_SECONDS = 5 * 365 * 24 * 3600
OPEN_SHARE = 0.02
BENCH_PREFIX = "BENCH-"

STEPS = [
    (
        "referrals",
        """
        INSERT INTO referrals_referral (
            reference, channel, received_at, out_of_hours, idempotency_key, idempotency_fingerprint,
            referrer_type, referrer_anonymous, referrer_name, referrer_organisation, referrer_role,
            referrer_email, referrer_phone, referrer_relationship, source, concerns, risks, why_now,
            actions_taken, early_help, support_needed, childs_voice, parents_voice, gillick_considered,
            parents_aware, safe_to_contact_parents, domestic_abuse_risk, consent, consent_given_by,
            consent_given_on, consent_notes, status, rag, rag_changed, level_of_need, claimed_at,
            next_due_at, allocated_worker_id, claimed_by_id, policy_version_id, recorded_by_id,
            referrer_agency_id, team_id)
        SELECT
            %(prefix)s || lpad(i::text, 8, '0'),
            (ARRAY['online', 'api', 'phone'])[1 + i %% 3],
            at,
            extract(hour FROM at AT TIME ZONE 'Europe/London') NOT BETWEEN 9 AND 16,
            NULL, '',
            'professional', false, 'Referrer ' || i, 'School ' || (i %% 400), 'Designated safeguarding lead',
            'referrer' || (i %% 5000) || '@school.example',
            '01632 960 ' || lpad((i %% 1000)::text, 3, '0'), '',
            (ARRAY['1A', '2A', '3A', '5A', '6', '8'])[1 + i %% 6],
            'Child seen with bruising on ' || (i %% 28 + 1) || ' occasions; mother says falls at home.',
            'Physical harm at home.', 'A new injury today.', 'Spoke to the mother.', 'not_offered',
            'Parenting support.', 'Wants the shouting to stop.', 'Says the child fell over.',
            NULL, true, true,
            CASE WHEN i %% 10 = 0 THEN (ARRAY['standard', 'medium', 'high'])[1 + i %% 3] ELSE '' END,
            'given', 'Parent', at::date, '',
            CASE WHEN open THEN (ARRAY['received', 'screening'])[1 + i %% 2]
                 ELSE (ARRAY['closed', 'allocated', 'closed', 'outcome', 'closed'])[1 + i %% 5] END,
            CASE WHEN open AND i %% 2 = 0 THEN ''
                 ELSE (ARRAY['red', 'amber', 'amber', 'green', 'blue'])[1 + i %% 5] END,
            false,
            CASE WHEN open AND i %% 2 = 0 THEN NULL ELSE 1 + i %% 4 END,
            NULL,
            CASE WHEN open THEN at + interval '3 days' END,
            NULL, NULL, %(policy)s, NULL, NULL,
            CASE WHEN open THEN NULL ELSE %(team)s END
        FROM (
            SELECT i, now() - make_interval(secs => (%(total)s - i) * %(step)s) AS at,
                   i > %(total)s - %(open)s AS open
            FROM generate_series(1, %(total)s) AS i
        ) AS g
        """,
    ),
    (
        "children (1 or 2 a referral)",
        """
        INSERT INTO referrals_referralchild (
            first_name, last_name, other_names, date_of_birth, expected_date_of_birth, sex, ethnicity,
            nhs_number, address, postcode, phone, school, disability, person_id, referral_id)
        SELECT (ARRAY['Amy', 'Ben', 'Chloe', 'Dan', 'Ella', 'Finn', 'Grace', 'Harry'])[1 + (r.id + n) %% 8],
               (ARRAY['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans'])[1 + r.id %% 7],
               '', r.received_at::date - (365 * (2 + (r.id + n) %% 14))::int, NULL,
               (ARRAY['F', 'M'])[1 + (r.id + n) %% 2], 'WBRI', '', r.id || ' High Street, Durham',
               'DH1 ' || (r.id %% 9 + 1) || 'AA', '', 'Hilltop Primary School', '', NULL, r.id
        FROM referrals_referral r CROSS JOIN generate_series(1, 2) AS n
        WHERE r.reference LIKE %(like)s AND (n = 1 OR r.id %% 2 = 0)
        """,
    ),
    (
        "adults (one a referral)",
        """
        INSERT INTO referrals_referraladult (
            first_name, last_name, date_of_birth, relationship, lives_with_children,
            has_parental_responsibility, sex, ethnicity, address, postcode, phone, person_id, referral_id)
        SELECT 'Jo', 'Parent' || (r.id %% 997), NULL, 'Mother', true, true, 'F', 'WBRI', '', '', '',
               NULL, r.id
        FROM referrals_referral r WHERE r.reference LIKE %(like)s
        """,
    ),
    (
        "threshold decisions (every child of a decided referral)",
        """
        INSERT INTO triage_childdecision (
            version, rag, level_of_need, rationale, primary_need, consent_basis, consent_reason,
            advice_given, decided_at, is_current, change_reason, child_id, decided_by_id,
            policy_version_id, referral_id, superseded_by_id)
        SELECT 1, r.rag, r.level_of_need, 'Threshold met for the rating given.', 'N1', 'given', '', '',
               r.received_at + interval '20 hours', true, '', c.id, %(lead)s, %(policy)s, r.id, NULL
        FROM referrals_referralchild c JOIN referrals_referral r ON r.id = c.referral_id
        WHERE r.reference LIKE %(like)s AND r.rag <> ''
        """,
    ),
    (
        "information requests (police, for a third of the decided)",
        """
        INSERT INTO agencies_informationrequest (
            public_id, question, lawful_basis, requested_at, due_at, status, chased_at, chase_count,
            declined_reason, declined_at, known, summary, risk_indicators, date_checked, free_text,
            answered_at, agency_id, answered_by_id, declined_by_id, referral_id, requested_by_id, deadline_id,
            shared)
        SELECT gen_random_uuid(), 'What do you know about the family?', %(basis)s,
               r.received_at + interval '21 hours', r.received_at + interval '45 hours', 'answered', NULL, 0,
               '', NULL, 'not_known', '', '[]'::jsonb, r.received_at::date, '',
               r.received_at + interval '30 hours',
               %(police)s, NULL, NULL, r.id, %(lead)s, NULL, '[]'::jsonb
        FROM referrals_referral r WHERE r.reference LIKE %(like)s AND r.rag <> '' AND r.id %% 3 = 0
        """,
    ),
    (
        "decision clocks (met, except the open referrals')",
        """
        INSERT INTO triage_deadline (
            kind, subject, started_at, due_at, warn_at, warned_at, breached_at, met_at, referral_id,
            policy_version_id, team_id)
        SELECT 'decision', '', r.received_at, r.received_at + interval '3 days',
               r.received_at + interval '2 days',
               CASE WHEN r.status IN ('received', 'screening') AND r.received_at + interval '2 days' < now()
                    THEN r.received_at + interval '2 days' END,
               CASE WHEN r.status IN ('received', 'screening') AND r.received_at + interval '3 days' < now()
                    THEN r.received_at + interval '3 days' END,
               CASE WHEN r.status IN ('received', 'screening') THEN NULL
                    ELSE r.received_at + interval '20 hours' END,
               r.id, %(policy)s, r.team_id
        FROM referrals_referral r WHERE r.reference LIKE %(like)s
        """,
    ),
    (
        "outcomes (referrals past the MASH)",
        """
        INSERT INTO triage_outcome (
            destination, primary_need, rationale, recommendation, decided_at, decided_by_id,
            lead_agency_id, referral_id, team_id)
        SELECT 's17_assessment', 'N1', 'Assessment needed.', 'Visit within five working days.',
               r.received_at + interval '2 days', %(lead)s, NULL, r.id, %(team)s
        FROM referrals_referral r WHERE r.reference LIKE %(like)s AND r.status IN ('outcome', 'allocated')
        """,
    ),
]


def existing() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM referrals_referral WHERE reference LIKE %s", [BENCH_PREFIX + "%"]
        )
        return cursor.fetchone()[0]


def generate(total: int, *, policy: int, team: int, lead: int, police: int, basis: str) -> None:
    """Insert ``total`` referrals and everything that hangs off them, then ANALYZE."""
    params = {
        "prefix": BENCH_PREFIX,
        "like": BENCH_PREFIX + "%",
        "total": total,
        "open": int(total * OPEN_SHARE),
        "step": SPAN_SECONDS / total,
        "policy": policy,
        "team": team,
        "lead": lead,
        "police": police,
        "basis": basis,
    }
    with transaction.atomic(), connection.cursor() as cursor:  # all or nothing: a rerun starts clean
        for label, sql in STEPS:
            started = time.perf_counter()
            cursor.execute(sql, params)
            print(f"  {label}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("ANALYZE")
        print(f"  ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)
