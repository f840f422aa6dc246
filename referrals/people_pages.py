"""The form's pages of people, one entry per kind: its form, how many it takes, where it goes next and
how the pages name one. Read by the pages (views.py) and by check your answers (answers.py)."""

from .forms import MAX_ADULTS, MAX_CHILDREN, AdultForm, ChildForm

PEOPLE = {
    "children": {
        "form": ChildForm,
        "limit": MAX_CHILDREN,
        "next": "referrals:adults",
        "singular": "child",
        "first": "a child",
    },
    "adults": {
        "form": AdultForm,
        "limit": MAX_ADULTS,
        "next": "referrals:concern",
        "singular": "adult",
        "first": "an adult",
    },
}
