"""The CSV loader: a documented format, validated row by row, with a report of rejected rows."""

import io

import pytest
from django.core.management import call_command

from mash.models import AuditEvent
from referrals.models import Involvement, Person, PersonAddress, PersonName
from referrals.person_index.loading import COLUMNS, load_person_index
from tests.factories.person_index import make_person, make_team

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def csv_of(*rows: str) -> io.StringIO:
    return io.StringIO("\n".join([HEADER, *rows]) + "\n")


GOOD = [
    # columns in COLUMNS order (see README)
    "C1,9434765919,,Oliver,Brown,Oliver Green,2015-03-04,M,1 High St,WV1 1AA,2021-01-01,,social_care,SC1,"
    "assessment-team-1,Sam Worker,SAM@council.example.gov.uk,2024-01-10,",
    "C1,9434765919,,Oliver,Brown,,2015-03-04,M,9 Low Rd,WV2 2BB,2016-01-01,2020-12-31,early_help,EH1,"
    "Assessment Team 1,,,2019-01-01,2019-06-30",
    "C2,,,Amelia,Khan,,04/05/2012,F,,,,,,,,,,,",
]


def test_loads_people_addresses_and_involvements(make_user):
    worker = make_user(email="sam@council.example.gov.uk")
    make_team()
    report = load_person_index(csv_of(*GOOD), by="test", source="export.csv")
    assert report.rejected == []
    assert (report.people, report.addresses, report.involvements) == (2, 2, 2)
    oliver = Person.objects.get(local_id="C1")
    assert oliver.postcode == "WV11AA" and oliver.address == "1 High St"  # the current address
    assert oliver.first_key and oliver.last_key
    assert PersonName.objects.get(person=oliver).last_name == "Green"
    assert PersonAddress.objects.filter(person=oliver, to_date__isnull=False).count() == 1
    open_case = Involvement.objects.get(person=oliver, closed_on__isnull=True)
    assert open_case.worker == worker and open_case.team.slug == "assessment-team-1"
    assert Person.objects.get(local_id="C2").date_of_birth.isoformat() == "2012-05-04"
    assert AuditEvent.objects.filter(action="person_index.bulk_load").count() == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (",,,Amy,Ng,,2015-01-01,F,,,,,,,,,,,", "local_id is empty"),
        ("B1,,,,Ng,,2015-01-01,F,,,,,,,,,,,", "first_name and last_name are required"),
        ("B2,9434765918,,Amy,Ng,,2015-01-01,F,,,,,,,,,,,", "not a valid NHS number"),
        ("B3,,,Amy,Ng,,2015-31-01,F,,,,,,,,,,,", "date_of_birth '2015-31-01' is not a date"),
        ("B4,,,Amy,Ng,,2099-01-01,F,,,,,,,,,,,", "in the future"),
        ("B5,,,Amy,Ng,,2015-01-01,X,,,,,,,,,,,", "sex 'X' must be M, F or U"),
        ("B6,,,Amy,Ng,,2015-01-01,F,1 A St,NOTAPOSTCODE,,,,,,,,,", "is not a UK postcode"),
        ("B7,,,Amy,Ng,,2015-01-01,F,,,,,fostering,,assessment-team-1,,,2024-01-01,", "involvement_type"),
        ("B8,,,Amy,Ng,,2015-01-01,F,,,,,social_care,,no-such-team,,,2024-01-01,", "is not a team"),
        ("B9,,,Amy,Ng,,2015-01-01,F,,,,,social_care,,assessment-team-1,,,,", "start_date is required"),
        (
            "BA,,,Amy,Ng,,2015-01-01,F,,,,,social_care,,assessment-team-1,,,2024-02-01,2024-01-01",
            "before start",
        ),
        ("BB,,,Amy,Ng,,2015-01-01,F,,,,,social_care,,assessment-team-1,,nope,2024-01-01,", "not an e-mail"),
        ("BC,,,Amy,Ng,Cher,2015-01-01,F,,,,,,,,,,,", "needs a first and a last name"),
        ("EXISTING,,,Amy,Ng,,2015-01-01,F,,,,,,,,,,,", "already in the index"),
    ],
)
def test_rejected_rows_are_reported_with_line_and_reason_and_load_nothing(row, reason):
    make_team()
    make_person(local_id="EXISTING")
    report = load_person_index(csv_of(GOOD[2], row), by="test", source="t.csv")
    assert report.people == 1  # the good row still loads
    assert len(report.rejected) == 1
    line, message = report.rejected[0]
    assert line == 3 and reason in message
    assert Person.objects.count() == 2


def test_conflicting_rows_for_one_person_are_rejected():
    report = load_person_index(
        csv_of("C9,,,Amy,Ng,,2015-01-01,F,,,,,,,,,,,", "C9,,,Amy,Ng,,2016-01-01,F,,,,,,,,,,,"),
        by="t",
        source="t",
    )
    assert report.people == 1 and report.rejected[0][0] == 3
    assert "different name or date of birth" in report.rejected[0][1]


def test_missing_columns_are_reported():
    report = load_person_index(io.StringIO("name,dob\nA,2015-01-01\n"), by="t", source="t")
    assert report.people == 0 and "local_id" in report.rejected[0][1]


def test_command_prints_the_report(tmp_path):
    make_team()
    path = tmp_path / "export.csv"
    path.write_text(csv_of(*GOOD, "B1,,,,Ng,,2015-01-01,F,,,,,,,,,,,").getvalue(), encoding="utf-8")
    out = io.StringIO()
    call_command("load_person_index", str(path), stdout=out)
    text = out.getvalue()
    assert "Loaded 2 people" in text and "rejected 1 rows" in text
    assert "row 5: first_name and last_name are required" in text
