"""The Schemathesis run's figures, printed at the end of the test session (so CI's log shows them).

Registered from the root conftest, so that under pytest-xdist the controller (which collects no
tests) still prints them: each worker sends its counts in ``workeroutput`` and the controller adds
them up as the workers finish.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest

FIGURES = pytest.StashKey["SchemathesisFigures"]()
COUNTERS = ("cases", "responses", "statuses", "failures")


@dataclass
class SchemathesisFigures:
    cases: Counter = field(default_factory=Counter)  # generated cases by phase
    responses: Counter = field(default_factory=Counter)  # responses by status class: "2xx", "4xx"...
    statuses: Counter = field(default_factory=Counter)  # responses by status code
    failures: Counter = field(default_factory=Counter)  # failed checks by their title
    operations: set = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            **{name: dict(getattr(self, name)) for name in COUNTERS},
            "operations": sorted(self.operations),
        }

    def add(self, other: dict) -> None:
        for name in COUNTERS:
            getattr(self, name).update(other.get(name, {}))
        self.operations.update(other.get("operations", ()))

    def lines(self) -> list[str]:
        server_errors = self.responses["5xx"]
        return [
            f"operations: {len(self.operations)}; cases: {sum(self.cases.values())} "
            f"({', '.join(f'{phase} {n}' for phase, n in sorted(self.cases.items()))})",
            f"responses: {sum(self.responses.values())} "
            f"({', '.join(f'{kind} {n}' for kind, n in sorted(self.responses.items()))})",
            "by status: " + ", ".join(f"{code} {n}" for code, n in sorted(self.statuses.items())),
            f"server errors: {server_errors}",
            f"schema violations and other failed checks: {sum(self.failures.values())}"
            + "".join(f"\n  {title}: {n}" for title, n in sorted(self.failures.items())),
        ]


def pytest_configure(config):
    config.stash[FIGURES] = SchemathesisFigures()


@pytest.fixture(scope="session")
def schemathesis_figures(request) -> SchemathesisFigures:
    return request.config.stash[FIGURES]


def pytest_sessionfinish(session):
    output = getattr(session.config, "workeroutput", None)  # set on an xdist worker only
    if output is not None:
        output["schemathesis"] = session.config.stash[FIGURES].as_dict()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    counts = getattr(node, "workeroutput", {}).get("schemathesis")
    if counts:
        node.config.stash[FIGURES].add(counts)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    figures = config.stash.get(FIGURES, None)
    if figures is None or not figures.cases:
        return
    terminalreporter.section("Schemathesis: the API against its schema")
    for line in figures.lines():
        terminalreporter.write_line(line)
