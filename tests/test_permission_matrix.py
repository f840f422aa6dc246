"""The permission matrix: every URL in the resolver × every role × objects they may and may not see.

Generated from the URL list, so a page or API endpoint added anywhere is covered: an unclassified
URL fails ``test_every_url_is_in_the_matrix`` until its author adds it to ``MATRIX`` below with the
roles that may see it. For each URL, each role and each object variant, a GET must not succeed
(2xx) unless the matrix allows that role for that object; a ``strict`` rule also requires that the
allowed roles do succeed (so the matrix cannot silently go stale). Every successful response is
searched for the identifiers that role must never see (references, names, other agencies' answers
and request ids: ``tests/agencies/world.py``), so no list, detail, export or PDF leaks a foreign id.
On the issue-7 pages an empty POST by a role that is not allowed must also be refused.

Roles: public, screening officer, MASH lead, police, health, education, team manager of team A and
of team B, social worker (team A), performance officer, administrator (a superuser with the
administrator role: it runs the admin, the audit log, break-glass review and restrictions, and is
refused every page and API that shows a child's record).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.pdf import pdf_text, squash
from tests.support.routes import all_routes
from tests.support.world import MASH, PARTNERS, ROLES, STAFF, World, _ids, build_world

pytestmark = pytest.mark.django_db

ALL = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
TEAM_A = frozenset({"manager_a", "social_worker"})
# Who may see each referral of the world (triage.selectors.referrals_visible_to): MASH staff see all,
# a team's manager and members see the team's, the allocated worker theirs.
SEES_REFERRAL = {
    "gather": MASH,
    "team_a": MASH | TEAM_A,
    "team_b": MASH | {"manager_b"},
    "alloc": MASH | TEAM_A,
}
MISSING_ID = 987654321

Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    """``variants`` maps a label to (kwargs builder, roles that may get a 2xx on GET)."""

    variants: dict[str, tuple[Kwargs, frozenset[str]]]
    strict: bool = False  # the allowed roles must get a 2xx (pages that show something)
    note: str = ""
    # Who may POST, by variant, where it differs from who may GET (POST-only actions).
    post: dict[str, frozenset[str]] | None = None

    def may_post(self, variant: str) -> frozenset[str]:
        return (self.post or {}).get(variant, self.variants[variant][1])


def page(allowed: frozenset[str], *, strict: bool = False) -> Rule:
    return Rule({"-": (lambda w: {}, frozenset(allowed))}, strict=strict)


def per_referral(
    allowed: dict[str, frozenset[str]] | None = None, *, strict: bool = False, kw: str = "reference"
) -> Rule:
    allowed = allowed or SEES_REFERRAL
    return Rule(
        {
            key: ((lambda w, key=key: {kw: w.referrals[key].reference}), frozenset(roles))
            for key, roles in allowed.items()
        },
        strict=strict,
    )


def missing(allowed: frozenset[str], **kwargs: Any) -> Rule:
    """A URL about an object the world does not have: the ids do not exist, so no role may get a 2xx
    that shows anything; ``allowed`` lists who may see the (empty) page's shell."""
    return Rule({"missing": (lambda w: dict(kwargs), frozenset(allowed))}, note="object does not exist")


def per_request(allowed: dict[str, frozenset[str]], *, strict: bool = False, post=None) -> Rule:
    return Rule(
        {
            key: ((lambda w, key=key: {"public_id": w.requests[key].public_id}), roles)
            for key, roles in allowed.items()
        },
        strict=strict,
        post=post,
    )


def post_only_request(post: dict[str, frozenset[str]]) -> Rule:
    return per_request({key: NOBODY for key in post}, post=post)


def referral_request(allowed: frozenset[str], *, post: frozenset[str]) -> Rule:
    return Rule(
        {
            "police": (
                lambda w: {
                    "reference": w.referrals["gather"].reference,
                    "public_id": w.requests["police"].public_id,
                },
                allowed,
            )
        },
        post={"police": post},
    )


def partner_link(allowed: frozenset[str], *, strict: bool = False) -> Rule:
    """A one-time link's page: a working link (to a new open request about team_b's referral, which
    the restricted-records test leaves unrestricted), and a token that is no link. Nobody gets the
    request page or the confirmation without signing in with the e-mailed code."""

    def working(w: World) -> dict[str, Any]:
        from tests.factories import InformationRequestFactory
        from triage.multiagency.partner_links import link_token, partner_link_issue

        request = getattr(w, "link_request", None) or InformationRequestFactory(
            referral=w.referrals["team_b"], agency=w.agencies["health"], requested_by=w.users["lead"]
        )
        w.link_request = request  # one open request per agency: each page's link is a new one to it
        return {"token": link_token(partner_link_issue(request, reason="sent", by=w.users["lead"]))}

    return Rule(
        {"link": (working, allowed), "no_link": (lambda w: {"token": "0" * 64}, NOBODY)}, strict=strict
    )


MASH_ONLY = {key: MASH for key in SEES_REFERRAL}
OWN_REQUEST = {
    "police": frozenset({"police"}),
    "health": frozenset({"health"}),
    "police_b": frozenset({"police"}),
}
TEAM_QUEUE_MANAGERS = frozenset({"manager_a", "manager_b", "lead"})
ALLOCATED_ONLY = {"gather": NOBODY, "team_a": NOBODY, "team_b": NOBODY, "alloc": TEAM_A}
EXPORTERS = frozenset({"lead", "performance"})
REPORT_VIEWERS = EXPORTERS | {"manager_a", "manager_b"}

MATRIX: dict[str, Rule] = {
    # Public and account pages.
    "home": page(ALL),
    "healthz": page(ALL),
    "readyz": page(ALL),
    "login": page(ALL),
    "logout": page(NOBODY),
    "two_factor_verify": page(ALL),
    # Single sign-on: off to the provider, and its answer (refused without a sign-in it started).
    "sso_start": page(NOBODY),
    "sso_callback": page(NOBODY),
    "two_factor_setup": page(ALL),
    "recovery_codes": page(STAFF),
    "password_change": page(STAFF),
    "audit_log": page(frozenset({"admin"})),
    "break_glass_request": page(STAFF),
    "break_glass_review": page(frozenset({"admin"})),
    "break_glass_review_grant": missing(NOBODY, grant_id=MISSING_ID),
    "api-schema": page(ALL),
    "api-docs": page(ALL),
    # GOV.UK Notify's delivery receipts: POST with Notify's bearer token only (tests/notifications/).
    "notifications:notify_callback": page(NOBODY),
    # Intake: the public form, and staff recording a referral or a consultation.
    **{
        f"referrals:{name}": page(ALL)
        for name in (
            "start",
            "route",
            "referrer",
            "concern",
            "support",
            "voices",
            "consent",
            "check",
            "confirmation",
            "children",
            "children_add",
            "adults",
            "adults_add",
        )
    },
    "referrals:record": page(MASH),
    "referrals:consultation": page(MASH),
    "referrals:children_change": missing(ALL, index=0),
    "referrals:children_remove": missing(ALL, index=0),
    "referrals:adults_change": missing(ALL, index=0),
    "referrals:adults_remove": missing(ALL, index=0),
    "referrals-api:create": page(NOBODY),
    # Triage queues and the staff referral page.
    # Team roles see their teams' referrals in the queue (triage.selectors.referrals_visible_to).
    "triage:queue": page(MASH | TEAM_A | {"manager_b"}),
    "triage:early_help": page(MASH | TEAM_A | {"manager_b"}),
    "triage:edt": page(MASH),
    "triage:domestic_abuse": page(MASH),
    **{
        f"triage:{name}": per_referral()
        for name in (
            "referral",
            "claim",
            "release",
            "reassign",
            "decide",
            "change_rag",
            "step_up",
            "return",
            "edt_acknowledge",
            "cse_matrix",
            "marac",
        )
    },
    # Domestic abuse triage meetings: MASH staff. The world's policy holds no meetings, so no day has one.
    "domestic_abuse:next_meeting": page(MASH, strict=True),
    "domestic_abuse:minutes": missing(NOBODY, day="2026-11-24"),
    "triage-api:queue": page(MASH | TEAM_A | {"manager_b"}),
    "triage-api:early_help": page(MASH | TEAM_A | {"manager_b"}),
    "triage-api:edt": page(MASH),
    "triage-api:domestic_abuse": page(MASH),
    "triage-api:domestic_abuse_batch": page(NOBODY),
    **{
        f"triage-api:{name}": per_referral()
        for name in (
            "referral",
            "claim",
            "release",
            "reassign",
            "decide",
            "change_rag",
            "step_up",
            "return",
            "edt_acknowledge",
        )
    },
    # Person index.
    "person_index:known_child_check": per_referral(MASH_ONLY),
    "person_index:match_decide": missing(
        NOBODY, reference="MXGATHER26", kind="child", subject_id=MISSING_ID, person_id=MISSING_ID
    ),
    "person_index:person_chronology": missing(NOBODY, person_id=MISSING_ID),
    "person_index:person_merge": missing(NOBODY, person_id=MISSING_ID),
    "person_index:person_unmerge": missing(NOBODY, merge_id=MISSING_ID),
    # Performance reports: the dashboard for leads, managers (their teams) and performance officers;
    # statutory returns for leads and performance officers.
    "reports:dashboard": page(REPORT_VIEWERS),
    "reports:figure_csv": Rule({"summary": (lambda w: {"key": "summary"}, REPORT_VIEWERS)}),
    "reports:statutory": page(EXPORTERS),
    "reports:annex_a": page(EXPORTERS),
    "reports:cin_census": page(EXPORTERS),
    # Statutory recording after allocation: the allocated worker and the team's manager only.
    **{
        f"casework:{name}": per_referral(ALLOCATED_ONLY, strict=True)
        for name in (
            "record",
            "assessment_start",
            "assessment_authorise",
            "s47_start",
            "icpc_record",
            "cin_close",
            # The census items beside them (triage.casework.views_census).
            "assessment_internal_review",
            "child_identifiers",
            "child_disabilities",
            "child_birth",
            "child_death",
            "cin_plan_start",
            "cin_plan_review",
            "cin_plan_end",
            "cp_plan_start",
            "cp_plan_review",
            "cp_visit",
            "cp_plan_category",
            "cp_plan_end",
            "s47_emergency_protection",
            # The manager's steps: the allocated worker sees the form, and the action refuses them.
            "oversight_record",
            "strategy_decide",
            "strategy_record",
        )
    },
    # Information sharing, discussion and allocation.
    "multiagency:team_queue": page(TEAM_QUEUE_MANAGERS, strict=True),
    # The duty rota: MASH staff and the teams' managers read it; a lead or an assessment team's
    # manager changes it.
    "multiagency:duty_rota": Rule(
        {"-": (lambda w: {}, MASH | {"manager_a", "manager_b"})},
        strict=True,
        post={"-": frozenset({"lead", "manager_a", "manager_b"})},
    ),
    "multiagency:challenge_respond": Rule(
        {"team_b": (lambda w: {"public_id": w.challenge.public_id}, frozenset({"manager_b"}))}, strict=True
    ),
    "multiagency:requests": per_referral(MASH_ONLY, strict=True),
    "multiagency:request_chase": referral_request(NOBODY, post=MASH),
    "multiagency:discussion": per_referral(MASH_ONLY, strict=True),
    "multiagency:strategy": per_referral(MASH_ONLY, strict=True),
    "multiagency:outcome": per_referral(MASH_ONLY, strict=True),
    "multiagency:summary_pdf": per_referral(strict=True),
    "multiagency:allocate": per_referral(
        {
            "gather": NOBODY,
            "team_a": frozenset({"manager_a"}),
            "team_b": frozenset({"manager_b"}),
            "alloc": frozenset({"manager_a"}),
        },
        strict=True,
    ),
    "multiagency_public:challenge": page(ALL, strict=True),
    "multiagency:request_resend_link": referral_request(NOBODY, post=MASH),
    # Anyone holding a link sees its sign-in pages (they show the agency's name only).
    "partner_access:start": partner_link(ALL, strict=True),
    "partner_access:code": partner_link(ALL, strict=True),
    "partner_access:request": partner_link(NOBODY),
    "partner_access:done": partner_link(NOBODY),
    "partners:request_list": page(PARTNERS, strict=True),
    "partners:request_detail": per_request(OWN_REQUEST, strict=True),
    "partners:request_decline": post_only_request(OWN_REQUEST),
    "partners-api:request_list": page(PARTNERS, strict=True),
    "partners-api:request_detail": per_request(OWN_REQUEST, strict=True),
    "partners-api:request_answer": post_only_request(OWN_REQUEST),
    # Restricted records: a MASH lead or an administrator (the world's is a superuser) restricts.
    "restricted:manage": per_referral(
        {key: frozenset({"lead", "admin"}) for key in SEES_REFERRAL}, strict=True
    ),
}
# Namespaces whose every URL is classified by one rule (the Django admin guards all its views).
NAMESPACE_RULES: dict[str, frozenset[str]] = {"admin": frozenset({"admin"})}
MATRIX["admin:login"] = page(ALL)  # the admin's sign-in page itself
# Empty POSTs by roles that are not allowed must be refused on these namespaces' URLs.
POST_CHECKED = ("multiagency:", "multiagency_public:", "partners:", "partners-api:", "casework:")
REFUSED = {302, 400, 401, 403, 404, 405}


def namespace_of(name: str) -> str:
    return name.split(":", 1)[0] if ":" in name else ""


def test_every_url_is_in_the_matrix():
    unclassified = [
        f"  {route.name or '(unnamed)'}  /{route.route}"
        for route in all_routes()
        if route.name not in MATRIX
        and namespace_of(route.name or "") not in NAMESPACE_RULES
        and not (route.name is None and route.route.startswith("admin/"))
    ]
    assert not unclassified, (
        "These URLs are not in the permission matrix. Add each to MATRIX in tests/test_permission_matrix.py "
        "with the roles that may see it (and the objects it takes), so that its access is tested:\n"
        + "\n".join(unclassified)
    )


def test_the_matrix_names_only_urls_that_exist():
    """A renamed or removed URL of a mounted app leaves a stale entry; an app whose URLs are not
    mounted in this tree yet (another change still on its way) is not an error."""
    names = {route.name for route in all_routes() if route.name}
    mounted = {namespace_of(name) for name in names}
    stale = sorted(name for name in set(MATRIX) - names if namespace_of(name) in mounted)
    assert not stale, f"Stale entries in MATRIX: {stale}"


@pytest.fixture
def world(make_user):
    return build_world(make_user)


@pytest.fixture
def clients(world, login) -> dict[str, Client]:
    signed_in = {role: login(user, Client()) for role, user in world.users.items()}
    return {"public": Client(), **signed_in}


def _cases(world: World):
    """(name, variant, url, rule) for every classified URL that can be reversed."""
    for route in all_routes():
        if route.name is None:
            continue
        rule = MATRIX.get(route.name)
        if rule is None:
            roles = NAMESPACE_RULES.get(namespace_of(route.name))
            if roles is None or route.keys:
                continue  # unclassified (the test above fails) or an admin object page (same guard)
            rule = page(roles)
        for variant, (kwargs, allowed) in rule.variants.items():
            yield route.name, variant, reverse(route.name, kwargs=kwargs(world)), rule


def zip_text(content: bytes) -> str:
    """Every member of a zip (an .xlsx export is one) as text, so spreadsheets are searched too."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode(errors="replace") for name in archive.namelist())


def _leaks(world: World, role: str, response) -> list[str]:
    if response.get("Content-Type", "").startswith("application/pdf"):
        text = squash(pdf_text(response.content))
        return sorted(secret for secret in world.forbidden_for(role) if squash(secret) in text)
    body = (
        zip_text(response.content)
        if response.content[:4] == b"PK\x03\x04"
        else response.content.decode(errors="replace")
    )
    return sorted(secret for secret in world.forbidden_for(role) if secret in body)


def test_no_role_gets_what_it_may_not_see(world, clients):
    problems = _problems(world, clients, lambda name, variant, allowed: allowed)
    assert not problems, "Permission matrix failures:\n" + "\n".join(problems)


# Restricted records: "gather" named to the lead who restricted it only; "alloc" to the lead and the
# allocated social worker. Every URL about them (and about their information requests) is refused
# to everyone else, whatever their role, and must still open for the named where the role allows.
RESTRICTED_NAMES = {"gather": frozenset({"lead"}), "alloc": frozenset({"lead", "social_worker"})}
# Variants that name a request rather than a referral, by the referral the request belongs to.
REQUEST_REFERRAL = {"police": "gather", "health": "gather", "police_b": "team_b"}


def test_a_restricted_referral_is_refused_to_every_role_not_named_on_it(world, clients):
    from referrals import restricted

    lead = world.users["lead"]
    for key, roles in RESTRICTED_NAMES.items():
        restricted.referral_restrict(world.referrals[key], reason="Restricted for the matrix", by=lead)
        for role in roles - {"lead"}:
            restricted.restricted_access_grant(
                world.referrals[key], user=world.users[role], reason="Named for the matrix", by=lead
            )
        # Nor may any list, export or PDF show the unnamed its reference, children or adults.
        for role in set(ROLES) - roles:
            world.secrets.setdefault(role, set()).update(_ids(world, key))

    def allowed_when_restricted(name: str, variant: str, allowed: frozenset[str]) -> frozenset[str]:
        key = REQUEST_REFERRAL.get(variant, variant)
        return allowed & RESTRICTED_NAMES[key] if key in RESTRICTED_NAMES else allowed

    problems = _problems(world, clients, allowed_when_restricted)
    assert not problems, "Permission matrix failures (restricted records):\n" + "\n".join(problems)


def _problems(world: World, clients: dict[str, Client], allowed_for) -> list[str]:
    problems: list[str] = []
    for name, variant, url, rule in _cases(world):
        allowed = allowed_for(name, variant, rule.variants[variant][1])
        for role in ROLES:
            response = clients[role].get(url)
            ok = 200 <= response.status_code < 300
            if ok and role not in allowed:
                problems.append(f"{role} got {response.status_code} from {name} [{variant}] {url}")
            elif rule.strict and role in allowed and not ok:
                problems.append(f"{role} should see {name} [{variant}] {url} but got {response.status_code}")
            if ok:
                leaked = _leaks(world, role, response)
                if leaked:
                    problems.append(f"{role} saw foreign identifiers {leaked} on {name} [{variant}] {url}")
            if name.startswith(POST_CHECKED) and role not in allowed_for(
                name, variant, rule.may_post(variant)
            ):
                posted = clients[role].post(url, {})
                if posted.status_code not in REFUSED or (posted.status_code == 302 and role != "public"):
                    problems.append(
                        f"{role} POST to {name} [{variant}] {url} was not refused: {posted.status_code}"
                    )
    return problems
