"""data-to-insight's CIN census validator (csc-validator-be-cin 0.1.13) run on an extract's XML.

The validator lives in its own environment (``.venv-cinvalidator``, made by ``make setup``: its pins,
pandas<2 and numpy<2, are not the project's), so the tests call it as a program through
``run_cin_validator.py``. Without it a test skips locally and fails in CI.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404  # runs our own script in our own environment, no shell
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.support.environment import require

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-cinvalidator" / "bin" / "python"
SCRIPT = Path(__file__).with_name("run_cin_validator.py")
RULESETS = ("cin2022_23", "cin2023_24", "cin2024_25", "cin2025_26", "cin2026_27")


@dataclass(frozen=True)
class Result:
    rules: dict[str, str]  # every rule of the ruleset: code -> ERROR or QUERY
    issues: list[dict]

    def failing(self, kind: str) -> set[str]:
        return {i["rule"] for i in self.issues if i["type"] == kind}

    @property
    def errors(self) -> set[str]:
        return self.failing("ERROR")

    @property
    def queries(self) -> set[str]:
        return self.failing("QUERY")

    def by_child(self) -> set[tuple[str, str]]:
        return {(i["rule"], i["child"]) for i in self.issues}


def ruleset_for(reference_date: date) -> str:
    """The validator's ruleset of the collection year that ends on ``reference_date``."""
    name = f"cin{reference_date.year - 1}_{reference_date.year % 100:02d}"
    return name if name in RULESETS else RULESETS[-1]


def validate(xml: bytes, reference_date: date) -> Result:
    require(PYTHON.exists(), "the CIN validator needs .venv-cinvalidator (make setup makes it)")
    with tempfile.NamedTemporaryFile(suffix=".xml") as extract:
        extract.write(xml)
        extract.flush()
        done = subprocess.run(  # noqa: S603  # nosec B603  # fixed program and arguments
            [str(PYTHON), str(SCRIPT), extract.name, ruleset_for(reference_date)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    return Result(rules=report["rules"], issues=report["issues"])
