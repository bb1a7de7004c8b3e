"""Webhooks: a client's endpoints, and the signed deliveries the job worker makes to them.

Public API for other apps (the escalations app calls it when an escalation opens or moves up a
level)::

    from tower.webhooks.services import notify

    notify(client, "escalation.opened", {"title": "...", "text": "...", "url": "...", ...})

`notify(client, event, payload, *, endpoints=None)` queues one Delivery per active endpoint of
the client (or per active endpoint among `endpoints`, e.g. the endpoints of one escalation
level) and returns them; the worker posts each once the caller's transaction commits, so a
rolled-back step sends nothing. `event` is a dotted lower-case name ("escalation.opened",
"escalation.level_changed"); `payload` is a JSON-able dict of at most 64 KB (dates are written
in ISO 8601). The keys `title`, `text` and `url` (an absolute link back to the tower) are what
the Teams and Slack formats show; the other keys with plain values become the card's facts.
Raises ValueError for a bad event name or payload (a programming error, not the user's).

What is posted (Content-Type: application/json; UTF-8):

* format "json": {"id", "event", "client": {"code", "name"}, "created_at", "test", "data"},
  "data" being the payload as given;
* format "teams": a Microsoft Teams message with one Adaptive Card (title, text, facts, a
  button to the url), accepted by the Workflows ("Post to a channel when a webhook request is
  received") and the older incoming-webhook connectors;
* format "slack": a Slack incoming-webhook message ({"text", "blocks"}).

Every request carries, whatever the format::

    X-Tower-Event: escalation.opened
    X-Tower-Delivery: <the delivery's UUID: the same on every retry, to drop duplicates>
    X-Tower-Timestamp: <Unix seconds of this attempt>
    X-Tower-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

A receiver verifies (`verify_signature` below does exactly this): recompute the HMAC over the
timestamp header, a dot and the raw body bytes with the endpoint's secret, compare in constant
time, and refuse a timestamp more than 5 minutes from its own clock (a captured request cannot
be replayed later: the timestamp is signed with the body).

Retries: an attempt succeeds on a 2xx answer. Anything else (a refused or timed-out
connection, a 3xx, 4xx or 5xx answer) is tried again after 1 minute, 5 minutes, 30 minutes and
2 hours (BACKOFF); after the fifth failed attempt the delivery is failed, and the CMO can send
it again from its page. Every attempt is kept (status code, duration, error, the first 1,000
characters of the answer).

Security of the requests the tower makes (it posts to addresses typed into a form):

* only http:// and https:// URLs, without user:password@ (put credentials in the secret);
* 5-second time-out for connecting and for the whole answer, of which at most 16 KB is read;
* redirects are never followed (a 3xx is a failed attempt naming where it pointed): configure
  the final address;
* SSRF: every address the host name resolves to must be a public one; loopback, private,
  link-local (e.g. cloud metadata at 169.254.169.254), multicast and reserved addresses are
  refused, at connection time against the addresses actually connected to (no DNS
  rebinding between the check and the connection). The setting TOWER_WEBHOOK_ALLOW_PRIVATE
  (environment variable of the same name, "1") allows them: for receivers inside the CMO's
  network, and for the tests, whose receiver listens on 127.0.0.1;
* the secret is made by the tower (secrets.token_urlsafe), shown once when the endpoint is
  created or the secret renewed, masked afterwards, and kept out of the history and the logs;
  the URL is shown shortened (Slack and Teams URLs are credentials themselves).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import re
import secrets
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tower.tenancy.models import Client
from tower.tenancy.scoping import CMO_ROLES, require_role
from tower.webhooks.models import (
    MAX_ENDPOINT_NAME,
    MAX_ERROR,
    MAX_EVENT,
    MAX_EXCERPT,
    MAX_URL,
    Delivery,
    DeliveryAttempt,
    Endpoint,
    Format,
)
from tower.workflow import WorkflowError, audit_as

log_ = logging.getLogger(__name__)

BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 5.0
RESPONSE_READ_CAP = 16 * 1024
MAX_PAYLOAD = 64 * 1024
SIGNATURE_TOLERANCE = dt.timedelta(minutes=5)
# A claimed delivery is not claimed again for this long (one attempt takes at most ~10 s); a
# worker that died in the middle leaves it to the next sweep after that.
CLAIM_LEASE = dt.timedelta(minutes=2)
USER_AGENT = "CMO-Control-Tower-Webhooks/1"
EVENT = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
MAX_FACTS = 12
MAX_FACT = 200


# ---------------------------------------------------------------------------------------------
# Endpoints (the CMO's people for the client; audited, the secret kept out of the history)


def _secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def masked_secret(secret: str) -> str:
    return "whsec_••••" + secret[-4:] if secret else "—"


def display_url(url: str) -> str:
    """The address without what may be a credential (the path of a Slack URL, the signature
    in the query of a Teams workflow URL): scheme, host and the path's start."""
    parts = urlsplit(url)
    path = parts.path if len(parts.path) <= 16 else parts.path[:12] + "…"
    return f"{parts.scheme}://{parts.netloc}{path}{'?…' if parts.query else ''}"


def allow_private() -> bool:
    return bool(getattr(settings, "TOWER_WEBHOOK_ALLOW_PRIVATE", False))


def check_url(url: str) -> str:
    """The URL, or WorkflowError saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise WorkflowError("Write the endpoint's URL, e.g. https://example.com/hooks/tower.")
    if len(url) > MAX_URL:
        raise WorkflowError(f"The URL is {len(url)} characters long; at most {MAX_URL}.")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise WorkflowError("The URL cannot contain spaces or control characters.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise WorkflowError("Only http:// and https:// URLs can receive webhooks.")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise WorkflowError(f"The URL's port is not a number from 1 to 65535: {exc}.") from exc
    if not host:
        raise WorkflowError("The URL has no host name.")
    if parts.username is not None or parts.password is not None:
        raise WorkflowError(
            "Leave user names and passwords out of the URL: the tower signs every request "
            "with the endpoint's secret instead."
        )
    if port == 0:
        raise WorkflowError("The URL's port is not a number from 1 to 65535.")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not allow_private() and not _public(literal):
        raise WorkflowError(
            f"{host} is a private, loopback or reserved address: the tower only posts to "
            "public addresses (TOWER_WEBHOOK_ALLOW_PRIVATE allows others)."
        )
    return url


def _check_fields(name: str, fmt: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise WorkflowError("Name the endpoint, e.g. “Escalations channel”.")
    if len(name) > MAX_ENDPOINT_NAME:
        raise WorkflowError(f"The name is longer than {MAX_ENDPOINT_NAME} characters.")
    if fmt not in Format.values:
        raise WorkflowError(f"Unknown format {fmt!r}: {', '.join(Format.values)}.")
    return name


def _unique_name(client: Client, name: str, pk: int | None) -> None:
    taken = Endpoint.objects.filter(client=client, name__iexact=name, archived_at__isnull=True)
    if taken.exclude(pk=pk).exists():
        raise WorkflowError(f"{client.name} already has an endpoint named {name!r}.")


@transaction.atomic
def add_endpoint(
    *, client: Client, name: str, url: str, fmt: str, active: bool = True, user
) -> tuple[Endpoint, str]:
    """A new endpoint of the client and its secret (the only time the secret is returned)."""
    require_role(user, client, CMO_ROLES, "configure webhooks")
    name = _check_fields(name, fmt)
    url = check_url(url)
    _unique_name(client, name, None)
    endpoint = Endpoint(
        client=client, name=name, url=url, format=fmt, active=bool(active), secret=_secret()
    )
    audit_as(endpoint, user, "added")
    endpoint.save()
    return endpoint, endpoint.secret


@transaction.atomic
def update_endpoint(
    *, endpoint: Endpoint, name: str, url: str | None, fmt: str, active: bool, user
) -> bool:
    """Change an endpoint (url None or "": keep it); False when nothing changed. Deliveries
    already queued keep the body of their format and go to the new URL."""
    require_role(user, endpoint.client, CMO_ROLES, "configure webhooks")
    _not_archived(endpoint)
    name = _check_fields(name, fmt)
    url = check_url(url) if url else endpoint.url
    _unique_name(endpoint.client, name, endpoint.pk)
    after = (name, url, fmt, bool(active))
    if (endpoint.name, endpoint.url, endpoint.format, endpoint.active) == after:
        return False
    switched_off = endpoint.active and not active
    endpoint.name, endpoint.url, endpoint.format, endpoint.active = after
    audit_as(endpoint, user, "switched off" if switched_off else "")
    endpoint.save()
    if switched_off:
        cancel_pending(endpoint, f"the endpoint was switched off by {user.get_username()}")
    return True


def _not_archived(endpoint: Endpoint) -> None:
    if endpoint.archived_at is not None:
        raise WorkflowError(f"The endpoint {endpoint.name} is archived: it no longer changes.")


def cancel_pending(
    endpoint: Endpoint, reason: str, *, now: dt.datetime | None = None, tests: bool = True
) -> int:
    """Stop the endpoint's deliveries still waiting for an attempt or a retry: cancelled with
    the reason (kept, not deleted, so the deliveries page tells what became of each); the
    number cancelled. `tests=False` leaves the test deliveries alone."""
    now = now or timezone.now()
    rows = Delivery.objects.filter(
        client_id=endpoint.client_id, endpoint=endpoint, status=Delivery.Status.PENDING
    )
    if not tests:
        rows = rows.exclude(is_test=True)
    return rows.update(
        status=Delivery.Status.CANCELLED,
        cancel_reason=f"Cancelled {now:%Y-%m-%d %H:%M} UTC: {reason}."[:MAX_ERROR],
        next_attempt_at=None,
        finished_at=now,
    )


@transaction.atomic
def archive_endpoint(*, endpoint: Endpoint, user, reason: str = "") -> Endpoint:
    """Remove an endpoint from use for good (audited, with the reason): it is switched off,
    its pending deliveries and retries are cancelled, its secret is wiped and its name is free
    again. It is archived, not deleted, because its deliveries (the log of what was posted
    where, and when) keep a reference to it; they stay on the deliveries page."""
    require_role(user, endpoint.client, CMO_ROLES, "configure webhooks")
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk, client=endpoint.client)
    _not_archived(locked)
    reason = " ".join((reason or "").split())
    now = timezone.now()
    locked.active = False
    locked.archived_at = now
    locked.secret = ""
    audit_as(locked, user, f"archived: {reason}" if reason else "archived")
    locked.save()
    cancel_pending(locked, f"the endpoint was archived by {user.get_username()}", now=now)
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def renew_secret(*, endpoint: Endpoint, user) -> str:
    """A new secret for the endpoint (returned this once); the old one stops at once."""
    require_role(user, endpoint.client, CMO_ROLES, "configure webhooks")
    _not_archived(endpoint)
    endpoint.secret = _secret()
    audit_as(endpoint, user, "secret renewed")
    endpoint.save()
    return endpoint.secret


# ---------------------------------------------------------------------------------------------
# Queueing deliveries


def notify(
    client: Client,
    event: str,
    payload: dict,
    *,
    endpoints: Iterable[Endpoint] | None = None,
    now: dt.datetime | None = None,
    user=None,
    is_test: bool = False,
) -> list[Delivery]:
    """Queue one delivery of `event` per active endpoint of the client (see the module's
    docstring); the worker posts them after the current transaction commits."""
    if not isinstance(event, str) or not 0 < len(event) <= MAX_EVENT or not EVENT.match(event):
        raise ValueError(f"Webhook event names are lower-case dotted words: {event!r}.")
    if not isinstance(payload, dict):
        raise ValueError("A webhook payload is a dict.")
    try:
        data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The webhook payload cannot be written as JSON: {exc}") from exc
    if len(json.dumps(data)) > MAX_PAYLOAD:
        raise ValueError(f"The webhook payload is larger than {MAX_PAYLOAD} bytes.")
    now = now or timezone.now()
    targets = Endpoint.objects.filter(client=client, active=True).select_related("client")
    if endpoints is not None:
        targets = targets.filter(pk__in=[e.pk for e in endpoints])
    deliveries = []
    for endpoint in targets.order_by("pk"):
        delivery = Delivery(
            client=client,
            endpoint=endpoint,
            event=event,
            created_at=now,
            next_attempt_at=now,
            is_test=is_test,
            requested_by=user if getattr(user, "pk", None) else None,
        )
        delivery.body = render_body(endpoint, delivery, data)
        delivery.save()
        deliveries.append(delivery)
        _queue(delivery.pk)
    return deliveries


TEST_EVENT = "tower.test"


@transaction.atomic
def send_test(*, endpoint: Endpoint, user, now: dt.datetime | None = None) -> Delivery:
    """Queue a test delivery to one endpoint (also an inactive one: to try it before use)."""
    require_role(user, endpoint.client, CMO_ROLES, "configure webhooks")
    _not_archived(endpoint)
    client = endpoint.client
    payload = {
        "title": f"Test from the CMO Control Tower: {endpoint.name}",
        "text": (
            f"This endpoint receives {client.name}'s events from the CMO Control Tower "
            "(escalations). No action needed."
        ),
        "url": settings.TOWER_BASE_URL.rstrip("/") + "/",
        "requested_by": user.get_username(),
    }
    now = now or timezone.now()
    delivery = Delivery(
        client=client,
        endpoint=endpoint,
        event=TEST_EVENT,
        created_at=now,
        next_attempt_at=now,
        is_test=True,
        requested_by=user if getattr(user, "pk", None) else None,
    )
    delivery.body = render_body(endpoint, delivery, payload)
    delivery.save()
    _queue(delivery.pk)
    return delivery


@transaction.atomic
def send_again(*, delivery: Delivery, user, now: dt.datetime | None = None) -> Delivery:
    """Try a failed delivery again now, with a fresh round of back-off (the same body and id)."""
    require_role(user, delivery.client, CMO_ROLES, "configure webhooks")
    if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.CANCELLED):
        raise WorkflowError("Only a failed or cancelled delivery can be sent again.")
    endpoint = Endpoint.objects.get(pk=delivery.endpoint_id, client_id=delivery.client_id)
    if endpoint.archived_at is not None or (not endpoint.active and not delivery.is_test):
        raise WorkflowError(
            f"The endpoint {endpoint.name} is {'archived' if endpoint.archived_at else 'off'}: "
            "switch it on before sending again."
        )
    now = now or timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        finished_at=None,
        cancel_reason="",
    )
    delivery.refresh_from_db()
    _queue(delivery.pk)
    return delivery


def _queue(delivery_id: int) -> None:
    """The first attempt in the worker, once the caller's transaction commits."""
    from tower.jobs import services as jobs
    from tower.webhooks.tasks import deliver_webhook

    jobs.on_commit(lambda: deliver_webhook(delivery_id))


# ---------------------------------------------------------------------------------------------
# Bodies


def render_body(endpoint: Endpoint, delivery: Delivery, data: dict) -> str:
    """The JSON text posted for the delivery in the endpoint's format."""
    client = endpoint.client
    if endpoint.format == Format.TEAMS:
        message = teams_message(client, delivery.event, data, test=delivery.is_test)
    elif endpoint.format == Format.SLACK:
        message = slack_message(client, delivery.event, data, test=delivery.is_test)
    else:
        message = {
            "id": str(delivery.uid),
            "event": delivery.event,
            "client": {"code": client.code, "name": client.name},
            "created_at": delivery.created_at.isoformat(),
            "test": delivery.is_test,
            "data": data,
        }
    return json.dumps(message, ensure_ascii=False, cls=DjangoJSONEncoder)


def _summary(client: Client, event: str, data: dict, test: bool) -> tuple[str, str, str, list]:
    title = str(data.get("title") or f"{client.name}: {event}")[:300]
    if test and not title.lower().startswith("test"):
        title = f"Test: {title}"
    text = str(data.get("text") or "")[:2000]
    url = data.get("url") if isinstance(data.get("url"), str) else ""
    url = url if url.startswith(("https://", "http://")) else ""
    facts = [("Client", f"{client.name} ({client.code})"), ("Event", event)]
    for key, value in data.items():
        if key in ("title", "text", "url") or isinstance(value, (dict, list)) or value is None:
            continue
        facts.append((key.replace("_", " ").capitalize(), str(value)[:MAX_FACT]))
    return title, text, url, facts[:MAX_FACTS]


def teams_message(client: Client, event: str, data: dict, *, test: bool = False) -> dict:
    """A Teams message with one Adaptive Card (schema 1.4)."""
    title, text, url, facts = _summary(client, event, data, test)
    body = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    if text:
        body.append({"type": "TextBlock", "text": text, "wrap": True})
    body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts]})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in the tower", "url": url}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(client: Client, event: str, data: dict, *, test: bool = False) -> dict:
    """A Slack incoming-webhook message: `text` (the notification's words) and Block Kit."""
    title, text, url, facts = _summary(client, event, data, test)
    headline = f"*{_slack_escape(title)}*"
    if url:
        headline = f"*<{url}|{_slack_escape(title)}>*"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": headline}}]
    if text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(text)}})
    blocks.append(
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*{_slack_escape(k)}*\n{_slack_escape(v)}"}
                for k, v in facts[:10]  # Slack takes at most 10 fields in a section
            ],
        }
    )
    return {"text": title, "blocks": blocks}


# ---------------------------------------------------------------------------------------------
# Signatures


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Tower-Signature header's value: sha256=HMAC-SHA256(secret, "<ts>." + body)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    signature_header: str,
    body: bytes,
    *,
    now: dt.datetime | None = None,
    tolerance: dt.timedelta = SIGNATURE_TOLERANCE,
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return False
    now = now or timezone.now()
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), signature_header or "")


# ---------------------------------------------------------------------------------------------
# Attempts (the worker)


def next_attempt_time(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """When to try again after `attempts` failed attempts; None once they are used up."""
    if attempts < 1 or attempts > len(BACKOFF):
        return None
    return now + BACKOFF[attempts - 1]


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Attempt every pending delivery whose time has come (the worker's sweep, each minute);
    the number attempted."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if attempt(pk, now=now) is not None)


def attempt(delivery_id: int, *, now: dt.datetime | None = None) -> Delivery | None:
    """Post a pending delivery whose time has come, once, and record how it went: delivered,
    pending with the next time of the back-off, or failed after MAX_ATTEMPTS. None when the
    delivery is not due (already delivered, or claimed by another worker thread)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("endpoint", "client").get(pk=delivery_id)
    endpoint = delivery.endpoint
    # Switched off or archived since it was queued (or a retry of then): nothing is posted.
    # A test still goes to an endpoint that is off (to try it before use), never to an archived.
    if endpoint.archived_at is not None or (not endpoint.active and not delivery.is_test):
        what = "archived" if endpoint.archived_at is not None else "switched off"
        cancel_pending(endpoint, f"the endpoint is {what}", now=now, tests=what == "archived")
        delivery.refresh_from_db()
        return delivery
    number = delivery.attempts + 1
    timestamp = int(now.timestamp())
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Tower-Event": delivery.event,
        "X-Tower-Delivery": str(delivery.uid),
        "X-Tower-Timestamp": str(timestamp),
        "X-Tower-Signature": signature(endpoint.secret, timestamp, body),
    }
    answer = post(endpoint.url, body, headers)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            client=delivery.client,
            delivery=delivery,
            number=number,
            at=now,
            duration_ms=answer.duration_ms,
            status_code=answer.status_code,
            ok=answer.ok,
            error=answer.error[:MAX_ERROR],
            response_excerpt=answer.excerpt[:MAX_EXCERPT],
        )
        delivery.attempts = number
        if answer.ok:
            delivery.status, delivery.next_attempt_at = Delivery.Status.DELIVERED, None
            delivery.finished_at = now
        else:
            after = next_attempt_time(number, now)
            if after is None:
                delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
                delivery.finished_at = now
            else:
                delivery.next_attempt_at = after
            log_.warning(
                "webhook delivery %s (client %s, endpoint %s) attempt %s failed: %s",
                delivery.pk,
                delivery.client_id,
                endpoint.pk,
                number,
                answer.error or f"HTTP {answer.status_code}",
            )
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "finished_at"])
    return delivery


# ---------------------------------------------------------------------------------------------
# HTTP


class Refused(OSError):
    """The address is not one the tower posts to (SSRF guard)."""


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _guarded_connection(address, timeout=None, source_address=None, *, private: bool):
    """socket.create_connection that refuses non-public addresses (unless allowed), checked
    on the very addresses it connects to."""
    host, port = address
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not infos:
        raise OSError(f"{host} has no address")
    error: OSError | None = None
    for family, socktype, proto, _, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not private and not _public(ip):
            error = Refused(
                f"{host} resolves to {ip}, not a public address "
                "(TOWER_WEBHOOK_ALLOW_PRIVATE allows it)"
            )
            continue
        sock = socket.socket(family, socktype, proto)
        try:
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"could not connect to {host}")


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float = TIMEOUT_SECONDS
) -> Answer:
    """POST `body` to `url` once: never a redirect, at most RESPONSE_READ_CAP bytes read,
    `timeout` seconds for the connection and for the whole answer. Never raises for what the
    network or the receiver does: the Answer says it."""
    started = time.monotonic()
    deadline = started + timeout

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        url = check_url(url)
    except WorkflowError as exc:
        return Answer(None, "", str(exc), 0)
    parts = urlsplit(url)
    kind = (
        http.client.HTTPSConnection
        if parts.scheme.lower() == "https"
        else http.client.HTTPConnection
    )
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    private = allow_private()
    connection._create_connection = lambda address, t=None, s=None: _guarded_connection(
        address, t, s, private=private
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        chunks, size = [], 0
        while size < RESPONSE_READ_CAP:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the answer took longer than {timeout:g} s")
            chunk = response.read1(RESPONSE_READ_CAP - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        excerpt = b"".join(chunks).decode("utf-8", errors="replace")[:MAX_EXCERPT]
        status = response.status
    except Refused as exc:
        return Answer(None, "", f"Refused: {exc}", elapsed())
    except TimeoutError:
        return Answer(None, "", f"Timed out after {timeout:g} s", elapsed())
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Answer(None, "", f"{type(exc).__name__}: {exc}"[:MAX_ERROR], elapsed())
    finally:
        connection.close()
    error = ""
    if 300 <= status < 400:
        location = response.getheader("Location") or "nowhere"
        error = f"Redirected to {display_url(location) if '://' in location else location}: redirects are not followed; configure the final address"
    elif not 200 <= status < 300:
        error = f"HTTP {status} {response.reason}"[:MAX_ERROR]
    return Answer(status, excerpt, error, elapsed())
