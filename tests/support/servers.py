"""Real servers that the fault tests start for themselves on free loopback ports: a Redis server, an
SMTP server (aiosmtpd) and Celery worker processes. Stopping one harms nothing else on the machine."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

REDIS_SERVER = "/usr/bin/redis-server"
BASE_DIR = Path(settings.BASE_DIR)


@contextmanager
def celery_publishing_to(url: str, *, visibility_timeout: int) -> Iterator[None]:
    """Point this process's Celery app (the publisher: the outbox, the live server) at ``url``.

    Celery derives broker_write_url and broker_read_url from broker_url once, on first use, and
    keeps pooled connections: all three are set, the pool dropped, and everything restored after.
    """
    from mash.celery import app as celery_app

    keys = ("broker_url", "broker_write_url", "broker_read_url", "broker_transport_options")
    previous = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(
        broker_url=url,
        broker_write_url=url,
        broker_read_url=url,
        broker_transport_options={"visibility_timeout": visibility_timeout},
    )
    celery_app.close()
    try:
        yield
    finally:
        celery_app.conf.update(previous)
        celery_app.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """``redis-server`` without persistence: a restart loses whatever it held, the worst case."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
            + ["--dir", str(self.workdir), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, 10, "redis-server to answer")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@dataclass
class Received:
    to: list[str]
    message_id: str
    subject: str
    pdf: bytes | None
    body: str = ""  # the plain-text part, as the reader's mail program shows it


@dataclass
class RecordingHandler:
    """Stores every accepted message. ``hold_first``: the first DATA waits until ``release`` and is
    then refused (the sender vanished mid-letter, so the server never accepts it). ``hold_first_quit``:
    the first message is accepted, and the QUIT after it waits until ``release`` (the sender is then
    stuck after the server took the letter, before it can record that it went)."""

    hold_first: bool = False
    hold_first_quit: bool = False
    received: list[Received] = field(default_factory=list)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.hold_first and not self.holding.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Sender went away; not accepted"
        message = email.message_from_bytes(envelope.content)
        pdf = next(
            (
                part.get_payload(decode=True)
                for part in message.walk()
                if part.get_content_type() == "application/pdf"
            ),
            None,
        )
        body = next(
            (
                part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                for part in message.walk()
                if part.get_content_type() == "text/plain"
            ),
            "",
        )
        with self.lock:
            self.received.append(
                Received(list(envelope.rcpt_tos), message["Message-ID"], message["Subject"], pdf, body)
            )
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope) -> str:
        if self.hold_first_quit and self.received and not self.holding.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "221 Bye"


class SmtpServer:
    def __init__(self, handler: RecordingHandler | None = None) -> None:
        self.port = free_port()
        self.handler = handler or RecordingHandler()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)


def live_database_url() -> str:
    """The live test database (pytest-django's), for worker processes to share."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A Celery worker process (solo pool: one process, so SIGKILL takes the task with it)."""

    def __init__(
        self, *, broker_url: str, email_url: str, logdir: Path, visibility_timeout: int = 10
    ) -> None:
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
            "DJANGO_SETTINGS_MODULE": "mash.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": live_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": email_url,
            "EMAIL_TIMEOUT": "5",
            # Short so that a task left unacknowledged by a killed worker comes back within the test.
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "CELERY_TASK_TIME_LIMIT": str(visibility_timeout - 2),
            "CELERY_TASK_SOFT_TIME_LIMIT": str(visibility_timeout - 4),
            "LOG_LEVEL": "INFO",
        }
        self.logdir = logdir
        self.process: subprocess.Popen | None = None
        self.log: Path | None = None

    def start(self) -> None:
        name = f"h8-{uuid.uuid4().hex[:8]}"
        self.log = self.logdir / f"{name}.log"
        command = [
            str(BASE_DIR / ".venv/bin/celery"),
            "-A",
            "mash",
            "worker",
            "--pool=solo",
            "-n",
            f"{name}@%h",
        ]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: b" ready." in self.log.read_bytes() or self._died(), 60, "the worker to be ready")
        if self._died():
            raise AssertionError(f"worker exited:\n{self.log_text()}")

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(30)

    def stop(self) -> None:
        self.kill(signal.SIGKILL)
