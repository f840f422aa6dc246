"""Walking the online form with Django's test client, page by page."""

from __future__ import annotations

from tests.support import answers

REFER = "/refer/"


def step(client, path: str, data: dict, *, expect: str | None = None):
    response = client.post(f"{REFER}{path}", data)
    assert response.status_code == 302, _errors(response)
    if expect is not None:
        assert response["Location"] == f"{REFER}{expect}", response["Location"]
    return response


def _errors(response) -> str:
    if response.status_code == 200 and response.context and "form" in response.context:
        return str(response.context["form"].errors)
    return str(response.status_code)


def fill_in(
    client,
    *,
    route: str = "professional",
    referrer: dict | None = None,
    children=None,
    adults=None,
    concern: dict | None = None,
    start: bool = True,
) -> None:
    """Answer every page up to the check page."""
    if start:
        step(client, "", {}, expect="who/")
    step(client, "who/", {"referrer_type": route}, expect="about-you/")
    referrer = referrer or (
        answers.professional_answers() if route == "professional" else answers.public_answers()
    )
    step(client, "about-you/", referrer, expect="children/")
    children = children if children is not None else [answers.child_answers()]
    for number, child in enumerate(children):
        step(client, "children/add/", child, expect="children/")
        more = "yes" if number < len(children) - 1 else "no"
        step(
            client, "children/", {"add_another": more}, expect="children/add/" if more == "yes" else "adults/"
        )
    adults = adults if adults is not None else [answers.adult_answers()]
    for adult in adults:
        step(client, "adults/", {"add_another": "yes"}, expect="adults/add/")
        step(client, "adults/add/", adult, expect="adults/")
    step(client, "adults/", {"add_another": "no"}, expect="concern/")
    step(client, "concern/", {**answers.concern_answers(), **(concern or {})}, expect="what-has-been-tried/")
    step(client, "what-has-been-tried/", answers.support_answers(), expect="views/")
    step(client, "views/", answers.voices_answers(), expect="consent/")
    step(client, "consent/", answers.consent_answers(), expect="check/")


def submit(client):
    page = client.get(f"{REFER}check/")
    assert page.status_code == 200
    key = page.context["wizard"].key
    return client.post(f"{REFER}check/", {"idempotency_key": key}), key
