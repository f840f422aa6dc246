"""Matching: blocking keys, scoring with explanations, and the evaluation set's precision and recall."""

from datetime import date

import pytest

from referrals.person_index import matching
from referrals.person_index.evaluation import NEAR_DUPLICATES, evaluate
from referrals.person_index.keys import name_key, normalise_nhs_number
from referrals.person_index.matching import Probe, find_candidates
from tests.factories.person_index import make_person

pytestmark = pytest.mark.django_db

VALID_NHS = "9434765919"
OTHER_VALID_NHS = "9434765870"


def top(probe: Probe):
    candidates = find_candidates(probe)
    return candidates[0] if candidates else None


def probe(**fields) -> Probe:
    base = {
        "first_name": "Oliver",
        "last_name": "Brown",
        "date_of_birth": date(2015, 3, 4),
        "postcode": "WV11AA",
        "sex": "M",
    }
    return Probe(**{**base, **fields})


def test_nhs_number_validation_and_keys():
    assert normalise_nhs_number("943 476 5919") == VALID_NHS
    assert normalise_nhs_number("9434765918") == ""  # check digit wrong: treated as missing
    assert normalise_nhs_number(OTHER_VALID_NHS) == OTHER_VALID_NHS
    assert name_key("Smith-Jones") == name_key("Smith")


def test_exact_nhs_number_wins_whatever_the_names():
    person = make_person(nhs_number=VALID_NHS, first_name="Olly")
    make_person(first_name="Oliver", last_name="Brown")  # same name, no NHS number
    best = top(probe(nhs_number=VALID_NHS, first_name="Someone", last_name="Else"))
    assert best.person == person and best.exact and best.score == 100
    assert best.explanation() == [
        {"field": "nhs_number", "score": 1.0, "weight": 1.0, "reason": "NHS number matches"}
    ]


def test_different_nhs_numbers_are_different_people():
    make_person(nhs_number=VALID_NHS)
    assert find_candidates(probe(nhs_number=OTHER_VALID_NHS)) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"first_name": "Olicer"}, "one letter different"),
        ({"first_name": "Olivr"}, "sounds the same"),
        ({"first_name": "Brown", "last_name": "Oliver"}, "first and last names swapped"),
        ({"first_name": "Ollie"}, "nickname"),
        ({"last_name": "Brown-Patel"}, "hyphenated"),
        ({"date_of_birth": date(2015, 4, 3)}, "day and month transposed"),
        ({"postcode": "B11AA"}, "different address"),
    ],
)
def test_near_duplicates_are_found_and_explained(change, reason):
    person = make_person()
    make_person(
        first_name="Amelia", last_name="Khan", date_of_birth=date(2014, 1, 1), postcode="WV2 2BB", sex="F"
    )
    best = top(probe(**change))
    assert best is not None and best.person == person
    assert matching.OFFER_THRESHOLD <= best.score < 100
    reasons = " ".join(f["reason"] for f in best.explanation())
    assert reason in reasons


def test_former_names_and_addresses_are_matched():
    person = make_person(
        last_name="Green",
        former_names=(("Oliver", "Brown"),),
        former_postcodes=("WV6 8QT",),
        date_of_birth=date(2015, 3, 4),
        postcode="DY1 1AA",
    )
    best = top(probe(postcode="WV68QT", date_of_birth=None))
    assert best.person == person
    reasons = " ".join(f["reason"] for f in best.explanation())
    assert "former name" in reasons and "former address" in reasons
    assert best.score < matching.LIKELY_THRESHOLD  # no date of birth: never shown as likely


def test_twin_with_another_name_is_not_offered():
    make_person(first_name="Jack", sex="M")
    assert top(probe(first_name="Harriet", sex="F")) is None
    assert top(probe(first_name="Samuel")) is None


def test_merged_record_is_offered_as_its_survivor():
    survivor = make_person(first_name="Olivia", last_name="Smith", date_of_birth=date(2016, 1, 1), sex="F")
    merged = make_person(first_name="Livvy", last_name="Smyth", date_of_birth=date(2016, 1, 1), sex="F")
    merged.merged_into = survivor
    merged.save()
    candidates = find_candidates(
        probe(first_name="Livvy", last_name="Smyth", date_of_birth=date(2016, 1, 1), sex="F")
    )
    assert [c.person for c in candidates] == [survivor]
    assert candidates[0].score == 100  # scored against the merged record's name too


def test_survivor_outside_the_block_is_found_through_its_merged_record():
    survivor = make_person(
        first_name="Zed", last_name="Quill", date_of_birth=date(2001, 1, 1), postcode="DY9 9ZZ"
    )
    merged = make_person(local_id="M1")
    merged.merged_into = survivor
    merged.save()
    candidates = find_candidates(probe())
    assert [c.person for c in candidates] == [survivor]
    assert "Oliver" in candidates[0].fields[0].reason


def test_candidate_query_count_is_constant(django_assert_max_num_queries):
    for n in range(30):
        make_person(first_name=f"Child{n}", postcode="WV1 1AA")
    with django_assert_max_num_queries(3):  # block and records, names and addresses, the offered
        find_candidates(probe())


def test_evaluation_precision_and_recall_above_thresholds():
    """Thresholds justified in README ("The known-child check", evaluation)."""
    result = evaluate(people=1200, probes_per_scenario=20, seed=7)
    assert result.precision >= 0.85, result.lines()
    assert result.recall >= 0.97, result.lines()
    assert result.likely_precision >= 0.98, result.lines()  # "likely" is never a different child
    for scenario in NEAR_DUPLICATES:
        assert result.correct_by_scenario[scenario] >= 0.9 * result.by_scenario[scenario], scenario
    assert result.correct_by_scenario["twin"] >= 0.9 * result.by_scenario["twin"]
    from referrals.models import Person

    assert not Person.objects.exists()  # the generated population was rolled back


def test_blocking_sql_names_the_models_tables():
    """The blocking look-ups are plain SQL: they must follow the models' tables."""
    from referrals.models import Person, PersonAddress, PersonName

    sql, _ = matching.blocking_query(probe())
    for model in (Person, PersonName, PersonAddress):
        assert f"FROM {model._meta.db_table} " in sql


def test_evaluate_matching_command_prints_precision_and_recall():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("evaluate_matching", "--people", "300", "--probes", "3", stdout=out)
    text = out.getvalue()
    assert "precision of the top candidate:" in text and "recall of the top candidate:" in text
    assert "twin" in text and "moved_house" in text
