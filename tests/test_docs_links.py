"""Every link in README.md and docs/ stays inside the repository and reaches a file that exists.

The documentation is read from a clone (or a release archive): a link to a path outside the
repository, or to a file that was moved or never written, is a dead end for the reader.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# [text](target) and [text]: target; the target ends at whitespace or the closing bracket.
INLINE = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:


def links(path: Path) -> list[str]:
    text = CODE.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    return INLINE.findall(text) + REFERENCE.findall(text)


def relative_links() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        for target in links(document):
            if EXTERNAL.match(target) or target.startswith("#"):
                continue
            found.append((str(document.relative_to(ROOT)), target))
    return found


def test_the_documents_are_found():
    assert (ROOT / "README.md") in DOCUMENTS
    assert len(DOCUMENTS) > 1, "docs/ should hold the detail the README links to"


@pytest.mark.parametrize(("document", "target"), relative_links())
def test_relative_link_resolves_inside_the_repository(document, target):
    path = target.split("#", 1)[0]
    assert not path.startswith("/"), f"{document}: {target} is an absolute path, not one in the repository"
    resolved = ((ROOT / document).parent / path).resolve()
    assert resolved.is_relative_to(ROOT), f"{document}: {target} points outside the repository"
    assert resolved.exists(), f"{document}: {target} does not exist"


def test_no_document_names_a_path_outside_the_repository():
    """Not even as plain text: a reader of the repository cannot follow ../shared or a machine path."""
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for outside in ("../shared", "/work/"):
            assert outside not in text, f"{document.relative_to(ROOT)} mentions {outside}"
