"""`make run` in a copy of the checkout under a temporary directory, as a new user would run it.

The copy holds the source (the virtualenv and node_modules are linked, not reinstalled: `make` is told
their install stamps are up to date), so its `var/` (SQLite file, broker folders, e-mail folder) is the
temporary directory's own and nothing touches the real checkout's.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from django.conf import settings

from tests.support.servers import free_port, wait_for

BASE_DIR = Path(settings.BASE_DIR)
LINKED = (".venv", "node_modules")
NOT_COPIED = {".git", "var", "staticfiles", ".pytest_cache", ".ruff_cache", ".hypothesis", "mash.egg-info"}
# Environment the stack must not inherit from the test run (it picks its own database and broker).
OWN_SETTINGS = ("DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE", "CACHE_URL")
LOCKED = "database is locked"
# `make -o` each: the copy shares the real checkout's installs, which must never be redone from it.
INSTALL_STAMPS = (".venv/.installed-stamp", "node_modules/.installed-stamp")


def copy_checkout(dest: Path) -> Path:
    """The source tree at ``dest`` with the real checkout's mtimes (so `make` rebuilds nothing)."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n == "__pycache__" or n.endswith(".pyc")}
        if Path(directory) == BASE_DIR:
            skipped |= (NOT_COPIED | set(LINKED)) & set(names)
        return skipped

    shutil.copytree(BASE_DIR, dest, symlinks=True, ignore=ignore)
    for name in LINKED:
        (dest / name).symlink_to(BASE_DIR / name)
    return dest


class Stack:
    """`make run` (web, worker, beat and the start-up banner under honcho) in its own process group."""

    def __init__(self, checkout: Path, **env: str) -> None:
        self.checkout = checkout
        self.port = free_port()
        self.log = checkout / "make-run.log"
        self.env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
        # The copy's packages, not the editable install's (which points at the real checkout).
        self.env.update(PYTHONPATH=str(checkout), MASH_PORT=str(self.port), PYTHONUNBUFFERED="1", **env)
        self.process: subprocess.Popen | None = None

    @property
    def python(self) -> str:
        return str(self.checkout / ".venv" / "bin" / "python")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 150) -> str:
        """Run `make run`; return its banner once it says the system is up."""
        stamps = [arg for name in INSTALL_STAMPS for arg in ("-o", name)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                ["make", *stamps, "run"],  # noqa: S607
                cwd=self.checkout,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self._up_or_exited, timeout, "make run to print its banner")
        if self.process.poll() is not None:
            raise AssertionError(f"make run exited:\n{self.output()[-5000:]}")
        return self.banner()

    def _up_or_exited(self) -> bool:
        return "Ctrl-C stops" in self.output() or self.process.poll() is not None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def banner(self) -> str:
        lines = [line.split(" | ", 1)[-1] for line in self.output().splitlines() if " welcome.1 " in line]
        return "\n".join(lines)

    def drive(self, referrals: int, settle_seconds: float) -> subprocess.Popen:
        """Start tests/stack/drive.py inside the copy, against the stack's database."""
        return subprocess.Popen(  # noqa: S603
            [self.python, "-m", "tests.stack.drive", str(referrals), str(settle_seconds)],
            cwd=self.checkout,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def stop(self) -> None:
        """Ctrl-C, as a person would; then SIGKILL for anything that did not stop."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def mail_in(folder: Path) -> list[email.message.Message]:
    """Every message Django's file backend wrote to ``folder`` (several may share a file)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in re.split(r"^-{79}$", path.read_text(errors="replace"), flags=re.MULTILINE):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.lstrip("\n")))
    return messages


def repeated(message_ids: list[str]) -> dict[str, int]:
    return {mid: n for mid, n in Counter(message_ids).items() if n > 1}


def wait_until(predicate, timeout: float, what: str):
    return wait_for(predicate, timeout, what, interval=0.5)


def elapsed(since: float) -> float:
    return round(time.monotonic() - since, 1)
