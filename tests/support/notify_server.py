"""A local HTTP server that speaks GOV.UK Notify's documented API, on loopback, for the tests.

The real service cannot be reached from a test. This one checks what the real one checks of a
request (the JWT bearer token the official client signs: ``iss`` the service id, HS256 with the
API key's secret, ``iat`` within 30 seconds), keeps the notifications it accepted, answers in the
documented JSON shapes, and can be told to fail the next requests with 400, 403, 429 or 500.

Endpoints: POST /v2/notifications/email, POST /v2/notifications/letter (precompiled),
GET /v2/notifications/<id>, GET /v2/notifications?reference=...
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"mash_tests-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
LETTER_EMAIL_TEMPLATE_ID = "0c5e1b7a-7c9a-4f5e-9b77-2f1f4f0d1a11"
# Each template's personalisation fields, as a council would set them up (docs/notify.md).
TEMPLATES = {
    EMAIL_TEMPLATE_ID: ("subject", "body"),
    LETTER_EMAIL_TEMPLATE_ID: ("subject", "body", "link_to_file"),
}
FAULTS = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
}
RETENTION = re.compile(r"^([1-9]|[1-6][0-9]|7[0-8]) weeks?$")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Notification:
    id: str
    type: str
    reference: str | None
    status: str
    email_address: str | None = None
    template_id: str | None = None
    personalisation: dict = field(default_factory=dict)
    content: str = ""
    created_at: str = field(default_factory=_now)
    completed_at: str | None = None

    def as_json(self, base: str) -> dict:
        """GET /v2/notifications/<id>, as documented."""
        subject = self.personalisation.get("subject") if self.type == "email" else None
        return {
            "id": self.id,
            "reference": self.reference,
            "email_address": self.email_address,
            "phone_number": None,
            **{f"line_{n}": None for n in range(1, 8)},
            "postcode": None,
            "type": self.type,
            "status": self.status,
            "template": {
                "id": self.template_id,
                "version": 1,
                "uri": f"{base}/v2/template/{self.template_id}",
            },
            "body": self.personalisation.get("body", ""),
            "subject": subject,
            "created_at": self.created_at,
            "created_by_name": None,
            "sent_at": self.created_at,
            "completed_at": self.completed_at,
            "scheduled_for": None,
            "one_click_unsubscribe": None,
            "is_cost_data_ready": False,
            "cost_in_pounds": None,
            "cost_details": {},
        }


class NotifyServer:
    """``with NotifyServer() as notify:``; ``notify.url`` is the base URL for the client."""

    def __init__(self) -> None:
        self.notifications: dict[str, Notification] = {}
        self.requests: list[tuple[str, str, dict | None]] = []
        self._faults: deque[int] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> NotifyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def fail_next(self, status: int, times: int = 1) -> None:
        """The next ``times`` requests are answered with Notify's error for ``status``."""
        with self._lock:
            self._faults.extend([status] * times)

    def set_status(self, notify_id: str, status: str) -> None:
        with self._lock:
            self.notifications[notify_id].status = status
            self.notifications[notify_id].completed_at = _now()

    def sent(self, kind: str = "email") -> list[Notification]:
        with self._lock:
            return [n for n in self.notifications.values() if n.type == kind]

    def posts(self) -> int:
        return sum(1 for method, _, _ in self.requests if method == "POST")

    # Request handling, in the server's threads --------------------------------------------------

    def _fault(self) -> int | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _accept(self, notification: Notification) -> None:
        with self._lock:
            self.notifications[notification.id] = notification


def _error(status: int, kind: str, message: str) -> tuple[int, dict]:
    return status, {"status_code": status, "errors": [{"error": kind, "message": message}]}


def _authorised(header: str) -> str | None:
    """None when the bearer token is one Notify accepts, else its AuthError message."""
    if not header.startswith("Bearer "):
        return "Unauthorized: authentication token must be provided"
    token = header.removeprefix("Bearer ")
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return "Invalid token: signature, api token is not valid"
    if claims.get("iss") != SERVICE_ID:
        return "Invalid token: service not found"
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})
    except jwt.PyJWTError:
        return "Invalid token: signature, api token not found"
    if abs(time.time() - claims.get("iat", 0)) > 30:
        return "Error: Your system clock must be accurate to within 30 seconds"
    return None


def _email(server: NotifyServer, body: dict, base: str) -> tuple[int, dict]:
    address, template_id = body.get("email_address", ""), body.get("template_id")
    if "@" not in (address or ""):
        return _error(400, "ValidationError", "email_address Not a valid email address")
    if template_id not in TEMPLATES:
        return _error(400, "BadRequestError", "Template not found")
    personalisation = dict(body.get("personalisation") or {})
    missing = [name for name in TEMPLATES[template_id] if name not in personalisation]
    if missing:
        return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
    for name, value in personalisation.items():
        if isinstance(value, dict):  # a file sent by e-mail (prepare_upload)
            problem = _file_problem(value)
            if problem:
                return _error(400, "BadRequestError", problem)
            personalisation[name] = {**value, "url": f"https://documents.example/d/{uuid.uuid4()}"}
    notification = Notification(
        id=str(uuid.uuid4()),
        type="email",
        reference=body.get("reference"),
        status="created",
        email_address=address,
        template_id=template_id,
        personalisation=personalisation,
    )
    server._accept(notification)
    return 201, {
        "id": notification.id,
        "reference": notification.reference,
        "content": {
            "subject": personalisation.get("subject", ""),
            "body": personalisation.get("body", ""),
            "from_email": "mash@notifications.service.gov.uk",
            "one_click_unsubscribe_url": None,
        },
        "uri": f"{base}/v2/notifications/{notification.id}",
        "template": {"id": template_id, "version": 1, "uri": f"{base}/v2/template/{template_id}"},
        "scheduled_for": None,
    }


def _file_problem(value: dict) -> str | None:
    try:
        content = base64.b64decode(value.get("file", ""), validate=True)
    except ValueError:
        return "File did not pass the virus scan"
    if not content:
        return "File is empty"
    if len(content) > 2 * 1024 * 1024:
        return "File is larger than 2MB"
    if value.get("confirm_email_before_download") not in (None, True, False):
        return "Unsupported value for confirm_email_before_download"
    retention = value.get("retention_period")
    if retention is not None and not RETENTION.match(retention):
        return "Unsupported value for retention_period"
    return None


def _letter(server: NotifyServer, body: dict) -> tuple[int, dict]:
    if not body.get("reference") or not body.get("content"):
        return _error(400, "ValidationError", "reference and content are required")
    notification = Notification(
        id=str(uuid.uuid4()), type="letter", reference=body["reference"], status="pending-virus-check"
    )
    notification.content = body["content"]
    server._accept(notification)
    return 201, {"id": notification.id, "reference": notification.reference, "postage": "second"}


def _handler_for(server: NotifyServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: the tests assert on server.requests
            pass

        def _answer(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null") if length else None
            parts = urlsplit(self.path)
            server.requests.append((method, parts.path, body))
            problem = _authorised(self.headers.get("Authorization", ""))
            if problem:
                return self._answer(*_error(403, "AuthError", problem))
            fault = server._fault()
            if fault:
                return self._answer(*_error(fault, *FAULTS[fault]))
            self._answer(*self._route(method, parts.path, parse_qs(parts.query), body or {}))

        def _route(self, method: str, path: str, query: dict, body: dict) -> tuple[int, dict]:
            base = server.url
            if method == "POST" and path == "/v2/notifications/email":
                return _email(server, body, base)
            if method == "POST" and path == "/v2/notifications/letter":
                return _letter(server, body)
            if method == "GET" and path == "/v2/notifications":
                reference = (query.get("reference") or [None])[0]
                found = [n for n in reversed(server.notifications.values()) if n.reference == reference]
                return 200, {
                    "notifications": [n.as_json(base) for n in found],
                    "links": {"current": f"{base}/v2/notifications"},
                }
            match = re.fullmatch(r"/v2/notifications/([0-9a-f-]{36})", path)
            if method == "GET" and match:
                notification = server.notifications.get(match.group(1))
                if notification is None:
                    return _error(404, "NoResultFound", "No result found")
                return 200, notification.as_json(base)
            return _error(404, "NotFound", "Not found")

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

    return Handler
