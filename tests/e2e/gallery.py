"""`make screenshots`: every page of the service as each role sees it, normal and error state, as
full-page PNGs in var/screenshots/ with an index page (var/screenshots/index.html) naming each page,
role and URL, and what axe-core said of it.

It sets up everything it needs from a fresh clone (after `make setup`): its own SQLite database in
var/screenshots/, migrated and given seed_demo's council, and its own server on a free loopback port.
No worker is needed: the pages do not wait for a letter. The walk itself is tests/e2e/pages.py, the
same one CI checks (tests/e2e/test_pages.py). docs/screenshots.md says more.

    .venv/bin/python -m tests.e2e.gallery [--out var/screenshots]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import socket
import subprocess
import sys
import time
import traceback
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"  # tests.e2e.browser's; not imported before Django is set up
SETTINGS = "mash.settings.local"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database: Path) -> dict[str, str]:
    """The server's and this process's settings: the gallery's own database, no debug pages (a
    person sees the service's own 404 page), local e-mail and broker files under the output folder."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_DEBUG="false",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",  # the walk's own ORM reads run beside Playwright's loop
    )
    env.pop("CELERY_BROKER_URL", None)
    return env


def prepare_database(database: Path) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    database.unlink(missing_ok=True)
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    settings.ALLOW_DEMO_DATA = True  # seed_demo refuses without DEBUG unless told: this is a demo
    call_command("seed_demo", verbosity=0)


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    # --insecure: runserver serves the static files without DEBUG, as WhiteNoise does in production.
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 (loopback)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped: see {log}") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"the server did not answer within a minute: see {log}")


def file_name(shot) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{shot.role} {shot.title} {shot.state}".lower()).strip("-")
    return f"{shot.number:03d}-{slug}.png"


def write_index(out: Path, shots, violations: dict[int, list[str]], failure: str) -> Path:
    rows = []
    for shot in shots:
        found = violations.get(shot.number, [])
        axe = "0" if not found else "<br>".join(html.escape(v) for v in found)
        rows.append(
            f"<tr><td>{shot.number}</td><td>{html.escape(shot.title)}</td><td>{html.escape(shot.role)}</td>"
            f"<td>{shot.state}</td><td><code>{html.escape(shot.path)}</code></td><td>{axe}</td>"
            f'<td><a href="{file_name(shot)}"><img src="{file_name(shot)}" alt="" width="160"></a></td></tr>'
        )
    stopped = f"<p><strong>The walk stopped:</strong></p><pre>{html.escape(failure)}</pre>" if failure else ""
    index = out / "index.html"
    index.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>MASH screenshots</title>'
        "<style>body{font-family:system-ui,sans-serif;margin:2em}td,th{border-bottom:1px solid #ccc;"
        "padding:.4em;text-align:left;vertical-align:top}</style></head><body>"
        f"<h1>MASH: every page, by role</h1><p>{len(shots)} pages, against seed_demo's data.</p>{stopped}"
        "<table><thead><tr><th>#</th><th>Page</th><th>Role</th><th>State</th><th>URL</th>"
        "<th>axe-core violations</th><th>Picture</th></tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table></body></html>\n"
    )
    return index


def run(out: Path) -> int:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"make screenshots needs Debian's chromium at {CHROMIUM}: apt-get install chromium")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    database = out / "gallery.sqlite3"
    env = environment(database)
    os.environ.update(env)
    prepare_database(database)
    port = free_port()
    server = start_server(port, env, out / "server.log")

    # Imported once Django is set up: the walk reads the database the server writes.
    from tests.e2e.browser import Accessibility, chromium
    from tests.e2e.pages import walk
    from tests.e2e.steps import Journey

    violations: dict[int, list[str]] = {}
    shots: list = []
    failure = ""
    try:
        with chromium() as browser:
            accessibility = Accessibility()

            def photograph(page, shot) -> None:
                page.screenshot(path=str(out / file_name(shot)), full_page=True)
                violations[shot.number] = accessibility.last  # axe-core ran as the walk reached the page
                shots.append(shot)
                print(f"{shot.number:3d} {shot.role:12} {shot.state:6} {shot.path}  {shot.title}", flush=True)

            walk(Journey(browser, f"http://127.0.0.1:{port}", accessibility), photograph)
    except Exception:  # the pictures so far are still worth having; the index says where it stopped
        failure = traceback.format_exc()
        print(failure, file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=10)
    index = write_index(out, shots, violations, failure)
    dirty = sum(1 for found in violations.values() if found)
    print(f"{len(shots)} pages in {index}; {dirty} with axe-core violations")
    return 1 if failure else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    return run(parser.parse_args().out.resolve())


if __name__ == "__main__":
    raise SystemExit(main())
