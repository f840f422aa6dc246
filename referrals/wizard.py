"""The online form's answers between pages, kept in the referrer's session (never in URLs).

Only form data is kept (strings), so that the same rules check it again at the end
(``referrals.intake.clean_intake``). Submitting clears it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from .fields import PARTS, DatePartsField

SESSION_KEY = "referral_wizard"
SUBMITTED_KEY = "referral_submitted"
PEOPLE = ("children", "adults")


def form_data(form: forms.Form, posted) -> dict[str, str]:
    """The posted values that belong to ``form``'s fields (three boxes for each date)."""
    names = set()
    for name, field in form.fields.items():
        if isinstance(field, DatePartsField):
            names.update(f"{name}_{part}" for part in PARTS)
        else:
            names.add(name)
    return {name: posted.get(name, "") for name in names if name in posted}


class Wizard:
    def __init__(self, session):
        self.session = session
        self.state: dict[str, Any] | None = session.get(SESSION_KEY)

    @classmethod
    def begin(cls, session, *, channel: str, recorded_by: int | None = None) -> Wizard:
        session[SESSION_KEY] = {
            "key": uuid.uuid4().hex,
            "channel": channel,
            "recorded_by": recorded_by,
            "topics": {},
            "children": [],
            "adults": [],
        }
        return cls(session)

    @property
    def active(self) -> bool:
        return self.state is not None

    @property
    def key(self) -> str:
        return self.state["key"]

    @property
    def channel(self) -> str:
        return self.state["channel"]

    @property
    def recorded_by(self) -> int | None:
        return self.state["recorded_by"]

    @property
    def referrer_type(self) -> str | None:
        return self.answers("route").get("referrer_type")

    def answers(self, topic: str) -> dict[str, str]:
        return dict(self.state["topics"].get(topic, {}))

    def save_answers(self, topic: str, data: dict[str, str]) -> None:
        self.state["topics"][topic] = data
        self.session.modified = True

    def forget(self, topic: str) -> None:
        self.state["topics"].pop(topic, None)
        self.session.modified = True

    def people(self, kind: str) -> list[dict[str, str]]:
        return list(self.state[kind])

    def person(self, kind: str, index: int) -> dict[str, str] | None:
        entries = self.state[kind]
        return dict(entries[index]) if 0 <= index < len(entries) else None

    def save_person(self, kind: str, index: int | None, data: dict[str, str]) -> None:
        if index is None:
            self.state[kind].append(data)
        else:
            self.state[kind][index] = data
        self.session.modified = True

    def remove_person(self, kind: str, index: int) -> None:
        if 0 <= index < len(self.state[kind]):
            del self.state[kind][index]
            self.session.modified = True

    def raw(self) -> dict[str, Any]:
        """Everything entered, in the shape ``clean_intake`` reads."""
        return {**self.state["topics"], "children": self.people("children"), "adults": self.people("adults")}

    def finish(self, referral_id: int) -> None:
        """Forget the answers; remember only which referral this session submitted, for its confirmation."""
        self.session[SUBMITTED_KEY] = {"id": referral_id, "key": self.key}
        del self.session[SESSION_KEY]
        self.state = None


def submitted(session) -> dict | None:
    return session.get(SUBMITTED_KEY)
