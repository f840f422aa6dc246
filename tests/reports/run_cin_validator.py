"""Run data-to-insight's CIN validator (csc-validator-be-cin) on one census XML and print JSON.

It runs inside the validator's own environment (``.venv-cinvalidator``, made by ``make setup``),
whose pins (pandas<2, numpy<2) the project's environment does not share, so it imports nothing of the
project. Usage: ``python run_cin_validator.py <extract.xml> <ruleset>``; prints
``{"rules": {code: type}, "issues": [{rule, type, child, table, columns}]}``.
"""

from __future__ import annotations

import importlib
import json
import sys

# Reads the extract this test run just wrote, never outside input.
from xml.etree import ElementTree as ET  # noqa: S405  # nosec B405

from cin_validator import cin_validator


def run(path: str, ruleset: str) -> dict:
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    root = ET.parse(path).getroot()  # noqa: S314  # nosec B314
    tables = cin_validator.process_data(cin_validator.convert_data(root))
    validator = cin_validator.CinValidator(tables, registry)
    types = {str(rule.code): rule.rule_type.name for _, rule in registry.items()}
    issues = [
        {
            "rule": str(row["rule_code"]),
            "type": types.get(str(row["rule_code"]), ""),
            "child": "" if row["child_id"] != row["child_id"] else str(row["child_id"]),
            "table": str(row["tables_affected"]),
            "columns": str(row["columns_affected"]),
        }
        for _, row in validator.full_issue_df.iterrows()
    ]
    issues += [
        {"rule": str(row["rule_code"]), "type": types.get(str(row["rule_code"]), ""), "child": "",
         "table": "return", "columns": ""}
        for _, row in validator.multichild_issues.iterrows()
    ]  # fmt: skip
    return {"rules": types, "issues": issues}


if __name__ == "__main__":
    json.dump(run(sys.argv[1], sys.argv[2]), sys.stdout)
