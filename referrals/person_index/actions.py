"""Every write to the person index: confirming and rejecting candidates, adding a referral's people,
merging and unmerging records. Routing a referral to a known case is triage's (a lifecycle move).

Each action runs in one transaction, writes an audit row, and queues e-mail through the outbox so it
leaves only if the change commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from mash import audit
from mash.actor import Actor
from mash.exceptions import Conflict, InvalidInput
from mash.providers import Provider
from referrals.locking import referral_lock
from referrals.models import Referral, ReferralAdult, ReferralChild

from . import selectors
from .keys import normalise_nhs_number, normalise_postcode, person_keys
from .models import Involvement, MatchDecision, Person, PersonAddress, PersonMerge, PersonName

Subject = ReferralChild | ReferralAdult


# A child linked to a record with an open case, or one closed within the policy's recall window, sends
# the referral to that case's team: a lifecycle move, so triage does it (triage/decisions/known_case.py)
# and supplies it here in its ready(). Called inside the confirming transaction.
route_to_known_case = Provider("person_index.actions.route_to_known_case", "the triage app")


@dataclass(frozen=True)
class RoutingResult:
    """What confirming a match did to the referral: routed to a team, or why not."""

    routed: bool
    involvement: Involvement | None = None
    note: str = ""


def _subject_fields(subject: Subject) -> dict:
    return {"child": subject} if isinstance(subject, ReferralChild) else {"adult": subject}


def _lock(referral: Referral, subject: Subject) -> Subject:
    """Lock the referral row: two officers deciding on the same person wait for each other."""
    referral_lock(referral)
    subject.refresh_from_db(fields=["person"])
    return subject


def _decide(
    referral: Referral, subject: Subject, person: Person, decision: str, *, by: Actor, reason: str
) -> MatchDecision:
    """Write (or overwrite) the decision with the candidate's score and explanation as now shown,
    and the audit row for it. Runs inside the caller's transaction, after ``_lock``."""
    candidate = selectors.candidate_for(subject, person)
    row, _ = MatchDecision.objects.update_or_create(
        person=person,
        **_subject_fields(subject),
        defaults={
            "referral": referral,
            "decision": decision,
            "by": by,
            "at": timezone.now(),
            "reason": reason,
            "score": candidate.score if candidate else 0,
            "explanation": candidate.explanation() if candidate else [],
        },
    )
    audit.record_write(
        f"person_index.match_{decision}",
        actor=by,
        obj=subject,
        referral_id=referral.pk,
        reason=reason or "known-child check",
        details={"person": person.pk},
    )
    return row


def match_confirm(
    referral: Referral, subject: Subject, person: Person, *, by: Actor, reason: str = ""
) -> RoutingResult:
    """Confirm that the referral's ``subject`` is index record ``person`` (or the record it was
    merged into). Requires the subject not already linked to another record. Links the subject,
    records the decision with its score and explanation, and, for a child whose record has an open
    case or one closed within the policy's recall window, routes the referral to that case's team."""
    with transaction.atomic():
        subject = _lock(referral, subject)
        person = selectors.root_person(person)
        if subject.person_id and subject.person_id != person.pk:
            raise Conflict("This person is already linked to another index record.")
        _decide(referral, subject, person, MatchDecision.Decision.CONFIRMED, by=by, reason=reason)
        subject.person = person
        subject.save(update_fields=["person"])
        if not isinstance(subject, ReferralChild):
            return RoutingResult(False, note="Adults do not route the referral.")
        return route_to_known_case(referral, person, by=by)


def match_reject(
    referral: Referral, subject: Subject, person: Person, *, by: Actor, reason: str
) -> MatchDecision:
    """Record that ``person`` is not the referral's ``subject``; the candidate is not offered again
    for this subject. Requires a reason. Unlinks the subject if it was linked to that record."""
    if not reason.strip():
        raise InvalidInput("Say why this is a different person.")
    with transaction.atomic():
        subject = _lock(referral, subject)
        person = selectors.root_person(person)
        decision = _decide(referral, subject, person, MatchDecision.Decision.REJECTED, by=by, reason=reason)
        if subject.person_id == person.pk:
            subject.person = None
            subject.save(update_fields=["person"])
        return decision


def person_create(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date | None = None,
    sex: str = "U",
    nhs_number: str = "",
    local_id: str = "",
    upn: str = "",
    address: str = "",
    postcode: str = "",
    by: Actor,
    reason: str,
) -> Person:
    """Add one person to the index with their blocking keys and current address."""
    with transaction.atomic():
        person = Person.objects.create(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            date_of_birth=date_of_birth,
            sex=sex,
            nhs_number=normalise_nhs_number(nhs_number),
            local_id=local_id,
            upn=upn,
            address=address,
            postcode=normalise_postcode(postcode),
            **person_keys(first_name, last_name),
        )
        if address or postcode:
            PersonAddress.objects.create(
                person=person, address=address, postcode=person.postcode, from_date=timezone.localdate()
            )
        audit.record_write("person_index.person_create", actor=by, obj=person, reason=reason)
        return person


def _linked_record(child: ReferralChild) -> Person | None:
    """The index record a child is linked to, locked: the survivor when it was merged into another."""
    if child.person_id is None:
        return None
    person = Person.objects.select_for_update().get(pk=child.person_id)
    if person.merged_into_id is not None:
        person = Person.objects.select_for_update().get(pk=person.merged_into_id)
    return person


def person_birth_from_child(child: ReferralChild, *, by: Actor, reason: str) -> Person | None:
    """Bring the index record of a child just born up to date from the child: the date of birth (in
    place of the expected date the record was added with), the sex and the name, the name it had kept
    as a former name so the known-child check still finds it. Called inside the birth's transaction;
    None when the child is not linked to a record. Causes: the record changed, an audit row."""
    person = _linked_record(child)
    if person is None:
        return None
    before = {"date_of_birth": person.date_of_birth and person.date_of_birth.isoformat(), "sex": person.sex}
    renamed = (child.first_name or person.first_name, child.last_name or person.last_name)
    if renamed != (person.first_name, person.last_name):
        PersonName.objects.create(
            person=person, kind=PersonName.Kind.FORMER, first_name=person.first_name,
            last_name=person.last_name, **person_keys(person.first_name, person.last_name),
        )  # fmt: skip
        before["name"] = person.full_name
    person.first_name, person.last_name = renamed
    person.date_of_birth, person.sex = child.date_of_birth, child.sex
    for key, value in person_keys(*renamed).items():
        setattr(person, key, value)
    person.save(update_fields=["first_name", "last_name", "first_key", "last_key", "date_of_birth", "sex"])
    audit.record_write(
        "person_index.person_birth", actor=by, obj=person, referral_id=child.referral_id, reason=reason,
        details={"child": child.pk, "before": before},
    )  # fmt: skip
    return person


def person_death_from_child(child: ReferralChild, died_on: date, *, by: Actor, reason: str) -> Person | None:
    """Record on the child's index record the date of death the casework recorded. Called inside the
    death's transaction; None when the child is not linked to a record. Causes: the record's date of
    death, an audit row."""
    person = _linked_record(child)
    if person is None:
        return None
    person.died_on = died_on
    person.save(update_fields=["died_on"])
    audit.record_write(
        "person_index.person_death", actor=by, obj=person, referral_id=child.referral_id, reason=reason,
        details={"child": child.pk, "died_on": died_on.isoformat()},
    )  # fmt: skip
    return person


def person_index_add_from_referral(referral: Referral, *, by: Actor) -> list[Person]:
    """Add every child and adult of ``referral`` not linked to an index record as a new record, and
    link them (called when the referral is decided). People already linked are left alone; a child
    whose valid NHS number is already in the index is linked to that record instead of duplicating
    it (NHS numbers are unique). Returns the records created."""
    created = []
    with transaction.atomic():
        referral_lock(referral)
        for _kind, subject in selectors.referral_subjects(referral):
            if subject.person_id or not (subject.first_name or subject.last_name):
                continue
            person = _known_by_nhs_number(subject)
            if person is not None:
                audit.record_write(
                    "person_index.link_by_nhs_number",
                    actor=by,
                    obj=subject,
                    referral_id=referral.pk,
                    reason="Same NHS number",
                    details={"person": person.pk},
                )
            else:
                person = person_create(
                    first_name=subject.first_name,
                    last_name=subject.last_name,
                    date_of_birth=subject.date_of_birth or getattr(subject, "expected_date_of_birth", None),
                    sex=subject.sex,
                    nhs_number=getattr(subject, "nhs_number", ""),
                    address=subject.address,
                    postcode=subject.postcode,
                    by=by,
                    reason=f"Added from referral {referral.reference}",
                )
                created.append(person)
            subject.person = person
            subject.save(update_fields=["person"])
    return created


def _known_by_nhs_number(subject: Subject) -> Person | None:
    nhs_number = normalise_nhs_number(getattr(subject, "nhs_number", ""))
    person = Person.objects.filter(nhs_number=nhs_number).order_by("pk").first() if nhs_number else None
    return selectors.root_person(person) if person else None


def person_merge(survivor: Person, merged: Person, *, by: Actor, reason: str) -> PersonMerge:
    """Record that ``merged`` is the same person as ``survivor``. Nothing is moved or deleted: the
    merged record points at the survivor, so both histories stay and the merge can be undone.
    Requires two different, unmerged records and a reason."""
    if not reason.strip():
        raise InvalidInput("Say why these records are the same person.")
    with transaction.atomic():
        records = {
            p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
        }
        if survivor.pk == merged.pk or len(records) != 2:
            raise InvalidInput("Choose two different index records.")
        survivor, merged = records[survivor.pk], records[merged.pk]
        if survivor.merged_into_id or merged.merged_into_id:
            raise Conflict("One of these records is already merged into another: merge into that one.")
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into"])
        merge = PersonMerge.objects.create(
            survivor=survivor, merged=merged, reason=reason, by=by, at=timezone.now()
        )
        audit.record_write(
            "person_index.person_merge",
            actor=by,
            obj=survivor,
            reason=reason,
            details={"merged": merged.pk, "merge": merge.pk},
        )
        return merge


def person_unmerge(merge: PersonMerge, *, by: Actor, reason: str) -> PersonMerge:
    """Undo a merge: the merged record stands alone again with everything it had. Requires a reason
    and a merge not already undone."""
    if not reason.strip():
        raise InvalidInput("Say why the merge is being undone.")
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at:
            raise Conflict("This merge has already been undone.")
        Person.objects.filter(pk=merge.merged_id, merged_into=merge.survivor_id).update(merged_into=None)
        merge.undone_at, merge.undone_by, merge.undone_reason = timezone.now(), by, reason
        merge.save(update_fields=["undone_at", "undone_by", "undone_reason"])
        audit.record_write(
            "person_index.person_unmerge",
            actor=by,
            obj=merge.survivor,
            reason=reason,
            details={"merged": merge.merged_id, "merge": merge.pk},
        )
        return merge
