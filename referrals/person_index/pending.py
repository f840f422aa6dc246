"""Referrals about someone like a person in this referral that are not in the index yet.

A referral's people join the index only when it is decided, so a child referred by a school at 9:00
and by a GP at 9:20 would be unknown to the second check. Here the people of the other referrals not
yet linked to an index record are blocked and scored against each person of this one with the index's
own keys, scoring (:func:`matching.score`) and threshold: another referral shows exactly when its
person would be offered as a candidate had they been added to the index already.

One query per kind of person (children, adults) for the whole page, however many people it names:
the unlinked rows sharing a date of birth (or its day/month transposition), a valid NHS number or a
cleaned surname with anyone on the page. Only unlinked rows are read, so the pool is the referrals
still undecided, not every referral ever made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, Value
from django.db.models.functions import Lower, Replace, Trim

from referrals.models import Referral, ReferralAdult, ReferralChild
from referrals.restricted import open_to

from . import matching
from .keys import clean_name, name_key, normalise_nhs_number, normalise_postcode

MODELS = {"child": ReferralChild, "adult": ReferralAdult}
_COLUMNS = (
    "pk",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "postcode",
    "referral_id",
    "referral__reference",
    "referral__received_at",
    "referral__status",
)
# Children also carry an NHS number and, unborn, an expected date of birth (Probe.of uses either).
_CHILD_COLUMNS = ("nhs_number", "expected_date_of_birth")


@dataclass(frozen=True)
class PendingReferral:
    """Another referral, not yet in the index, about someone who scores as a candidate would."""

    referral_id: int
    reference: str
    received_at: datetime
    status_label: str
    score: int
    exact: bool
    fields: list[matching.FieldMatch] = field(default_factory=list)

    @property
    def matched(self) -> list[str]:
        """What agrees, worded as a candidate's reasons ("Date of birth: 01/05/2016 / 01/05/2016: same")."""
        return [f"{f.label}: {f.reason}" for f in self.fields if f.score > 0]


def pending_referrals(
    subjects: list[tuple[str, ReferralChild | ReferralAdult]], *, exclude: int, user
) -> dict[tuple[str, int], list[PendingReferral]]:
    """For each (kind, subject pk): the other referrals ``user`` may open naming a person of the same
    kind who is not yet in the index and scores at or above the offer threshold; newest first."""
    found: dict[tuple[str, int], list[PendingReferral]] = {}
    for kind, model in MODELS.items():
        probes = {subject.pk: matching.Probe.of(subject) for k, subject in subjects if k == kind}
        block = _block(probes.values(), children=model is ReferralChild)
        if block is None:
            continue
        rows = list(
            model.objects.annotate(cleaned_last=_cleaned("last_name"))
            .filter(block, person__isnull=True)
            .filter(open_to(user, via="referral"))
            .exclude(referral_id=exclude)
            .order_by("-referral__received_at", "-pk")
            .values_list(*_COLUMNS, *(_CHILD_COLUMNS if model is ReferralChild else ()))[: matching.MAX_BLOCK]
        )
        for subject_pk, probe in probes.items():
            found[(kind, subject_pk)] = _scored(probe, rows)
    return found


def _cleaned(column: str):
    """``keys.clean_name`` in SQL for plain names: lower case, apostrophes dropped, hyphens as spaces
    (accented names are still found by their date of birth)."""
    return Trim(Lower(Replace(Replace(column, Value("'"), Value("")), Value("-"), Value(" "))))


def _block(probes: Iterable[matching.Probe], *, children: bool) -> Q | None:
    """Rows sharing a date of birth (or its transposition), a valid NHS number or a cleaned surname
    (or the first name, for names given the other way round) with any probe."""
    probes = list(probes)
    dates = {d for p in probes for d in (p.date_of_birth, matching.transposed(p.date_of_birth)) if d}
    numbers = {p.nhs_number for p in probes if p.nhs_number}
    surnames = {clean_name(name) for p in probes for name in (p.last_name, p.first_name)} - {""}
    conditions = []
    if dates:
        conditions.append(Q(date_of_birth__in=dates))
        if children:
            conditions.append(Q(expected_date_of_birth__in=dates))
    if numbers and children:
        conditions.append(Q(nhs_number__in=numbers))
    if surnames:
        conditions.append(Q(cleaned_last__in=surnames))
    if not conditions:
        return None
    block = conditions[0]
    for condition in conditions[1:]:
        block |= condition
    return block


def _scored(probe: matching.Probe, rows: list[tuple]) -> list[PendingReferral]:
    """The rows in the probe's block that score at or above the offer threshold, one per referral."""
    status_labels = dict(Referral._meta.get_field("status").choices)
    # The index's own (last, first) key pairs, so a name is in the block here exactly when it would be
    # in the index's.
    name_pairs = set(matching._name_key_pairs(probe))
    shown: dict[int, PendingReferral] = {}
    for pk, first, last, born, sex, postcode, referral_id, reference, received_at, status, *child in rows:
        nhs_number, expected = child or ("", None)
        born = born or expected
        nhs_number = normalise_nhs_number(nhs_number)
        if not _in_block(probe, name_pairs, born, nhs_number, (name_key(last), name_key(first))):
            continue
        data = matching.MatchData(
            pk,
            sex,
            dates_of_birth={born} if born else set(),
            names=[(first, last, "")],
            current_postcodes={normalise_postcode(postcode)} - {""},
            nhs_numbers={nhs_number} - {""},
        )
        result = matching.score(probe, data)
        if result is None or result[0] < matching.OFFER_THRESHOLD:
            continue
        value, fields, exact = result
        if referral_id not in shown or value > shown[referral_id].score:
            shown[referral_id] = PendingReferral(
                referral_id, reference, received_at, status_labels.get(status, status), value, exact, fields
            )
    return list(shown.values())  # rows came newest first, and dicts keep that order


def _in_block(probe: matching.Probe, name_pairs: set, born, nhs_number: str, keys: tuple[str, str]) -> bool:
    """The index's blocking for one row: the same NHS number, date of birth (or its transposition),
    or (last, first) name keys with nicknames and names swapped (``matching.blocking_query``)."""
    if probe.nhs_number and probe.nhs_number == nhs_number:
        return True
    if (
        born
        and probe.date_of_birth
        and born in (probe.date_of_birth, matching.transposed(probe.date_of_birth))
    ):
        return True
    return keys in name_pairs
