"""A referral's lifecycle fields are written only through the lifecycle's actions (triage/actions.py).

The test reads the project's Python (not the tests, not migrations) and finds every write of one of
``Referral``'s lifecycle fields: a queryset ``.update(<field>=...)`` (or ``.update(**fields)``) on
referrals, an assignment ``<referral>.<field> = ...``, ``setattr(<referral>, "<field>", ...)``, and
``<referral>.save(update_fields=[...])`` naming one. A referral is recognised by name (``referral``,
``locked``, ``x.referral``), by a ``Referral`` annotation, or by being bound to an expression that
names ``Referral`` or calls a ``referral_...`` function. Creating a referral is its start, not a
move, and is not a write here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The project's own packages (everything that is not tooling, tests or the environment).
PACKAGES = ("agencies", "bench", "mash", "notifications", "referrals", "reports", "security", "triage", "web")

# Referral's "Lifecycle" block (referrals/models.py), with each foreign key's column.
FIELDS = {
    "status",
    "rag",
    "rag_changed",
    "level_of_need",
    "claimed_by",
    "claimed_at",
    "team",
    "allocated_worker",
    "policy_version",
    "next_due_at",
}
FIELDS |= {f"{name}_id" for name in ("claimed_by", "team", "allocated_worker", "policy_version")}

WRITER = "triage/actions.py"
# Writes outside it that are known and why; anything else fails the test.
KNOWN = {
    ("triage/deadlines.py", "next_due_at"): (
        "the queue's sort key, kept equal to the nearest open deadline whenever a clock starts or stops"
    ),
}
REFERRAL_NAMES = {"referral", "locked"}


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    field: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} writes Referral.{self.field}"


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _names_referral(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id == "Referral":
            return True
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name.startswith("referral_") or name.startswith("access_") and "referral" in name:
                return True
    return False


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str):
        self.path = path
        self.writes: list[Write] = []
        self.scopes: list[set[str]] = [set(REFERRAL_NAMES)]

    # --- which names hold a referral (or a queryset of referrals) in the current function ---------

    def _is_referral(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.scopes[-1]
        if isinstance(node, ast.Attribute):
            return node.attr == "referral"
        return False

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        names = set(REFERRAL_NAMES)
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            if arg.annotation is not None and "Referral" in ast.unparse(arg.annotation):
                names.add(arg.arg)
        self.scopes.append(names)
        self.generic_visit(node)
        self.scopes.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def _bind(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        if value is not None and _names_referral(value):
            self.scopes[-1].update(t.id for t in targets if isinstance(t, ast.Name))

    # --- the writes ----------------------------------------------------------------------------

    def _found(self, node: ast.AST, field: str) -> None:
        self.writes.append(Write(self.path, node.lineno, field))

    def _assigned(self, target: ast.expr) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._assigned(element)
        elif isinstance(target, ast.Attribute) and target.attr in FIELDS and self._is_referral(target.value):
            self._found(target, target.attr)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target)
        self._bind(node.targets, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node.target)
        if "Referral" in ast.unparse(node.annotation) and isinstance(node.target, ast.Name):
            self.scopes[-1].add(node.target.id)
        self._bind([node.target], node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._assigned(node.target)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
            target, name = node.args[0], node.args[1]
            if self._is_referral(target) and isinstance(name, ast.Constant) and name.value in FIELDS:
                self._found(node, name.value)
        if isinstance(func, ast.Attribute):
            on_referrals = self._is_referral(func.value) or _is_referral_queryset(func.value, self.scopes[-1])
            if func.attr == "update" and on_referrals:
                for keyword in node.keywords:
                    if keyword.arg is None or keyword.arg in FIELDS:
                        self._found(node, keyword.arg or "**" + ast.unparse(keyword.value))
            if func.attr in ("save", "bulk_update") and on_referrals:
                for keyword in node.keywords:
                    if keyword.arg in ("update_fields", "fields"):
                        for field in _listed(keyword.value):
                            self._found(node, field)
        self.generic_visit(node)


def _is_referral_queryset(node: ast.expr, names: set[str]) -> bool:
    root = _root(node)
    return isinstance(root, ast.Name) and (root.id == "Referral" or root.id in names)


def _listed(node: ast.expr) -> list[str]:
    """The lifecycle fields a literal list names; a list computed at run time may name any."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in FIELDS]
    return ["<" + ast.unparse(node) + ">"]


def lifecycle_writes(source: str, path: str) -> list[Write]:
    finder = _Finder(path)
    finder.visit(ast.parse(source, filename=path))
    return finder.writes


def _project_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def test_lifecycle_fields_are_written_only_by_the_lifecycle_actions():
    writes = []
    for file in _project_files():
        path = file.relative_to(ROOT).as_posix()
        writes += lifecycle_writes(file.read_text(), path)
    outside = [w for w in writes if w.path != WRITER and (w.path, w.field) not in KNOWN]
    assert not outside, "Write these through triage.actions (referral_transition, referral_assign, " + (
        "referral_rate):\n" + "\n".join(map(str, outside))
    )


def test_every_known_exception_is_still_there():
    # An exception that no longer happens is removed from KNOWN, so the list stays the truth.
    writes = set()
    for file in _project_files():
        path = file.relative_to(ROOT).as_posix()
        writes |= {(w.path, w.field) for w in lifecycle_writes(file.read_text(), path)}
    assert set(KNOWN) <= writes


def test_the_finder_sees_each_kind_of_write():
    source = """
def f(referral, other: Referral, request):
    Referral.objects.filter(pk=1).update(team=None)
    Referral.objects.filter(pk=1).update(**fields)
    referral.status = "closed"
    other.claimed_by, other.claimed_at = None, None
    setattr(referral, "rag", "red")
    referral.save(update_fields=["status", "consent"])
    rows = Referral.objects.filter(pk=1)
    rows.update(allocated_worker=None)
    locked = referral_lock(referral)
    locked.team = None
    request.status = "answered"
    request.save(update_fields=["status"])
    data.update(team="x")
"""
    found = {(w.line, w.field) for w in lifecycle_writes(source, "example.py")}
    assert found == {
        (3, "team"),
        (4, "**fields"),
        (5, "status"),
        (6, "claimed_by"),
        (6, "claimed_at"),
        (7, "rag"),
        (8, "status"),
        (10, "allocated_worker"),
        (12, "team"),
    }
