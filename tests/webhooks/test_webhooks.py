"""Webhooks against a real local HTTP receiver (tests/webhooks/conftest.py), no mocks: the
signature a receiver verifies, the three formats, retries with back-off on a controlled clock,
the security of the requests (schemes, SSRF, redirects, time-out, capped answers, the secret
kept out of pages and history), notify() as other apps call it, and the pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest

from tests.conftest import Role, make_user
from tower.webhooks import services
from tower.webhooks.models import Delivery, DeliveryAttempt, Endpoint, Format
from tower.webhooks.services import (
    BACKOFF,
    MAX_ATTEMPTS,
    add_endpoint,
    deliver_due,
    next_attempt_time,
    notify,
    post,
    verify_signature,
)
from tower.workflow import NotAllowed, WorkflowError

T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)  # after the real clock: nothing is due early
PAYLOAD = {
    "title": "Escalation opened: ACME-SO-1002 projected 9 days late",
    "text": "Level 1: Lea Fontaine (CMO) and Cleo (client) respond within 4 business hours.",
    "url": "https://tower.example/escalations/7/",
    "level": 1,
    "due": dt.date(2030, 1, 8),
    "people": [{"name": "Lea Fontaine"}],
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(acme, globex):
    return make_user("anna", acme, Role.CMO_STAFF)


def endpoint(client, user, url, fmt=Format.JSON, name="Integration") -> tuple[Endpoint, str]:
    return add_endpoint(client=client, name=name, url=url, fmt=fmt, user=user)


# --- signature and formats --------------------------------------------------------------------


def test_a_delivery_is_posted_signed_and_the_receiver_verifies_it(acme, staff, receiver):
    hook, secret = endpoint(acme, staff, receiver.url())
    [delivery] = notify(acme, "escalation.opened", PAYLOAD)  # the worker posts it at once
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 1
    [got] = receiver.requests
    assert got.path == "/hook" and got.headers["Content-Type"].startswith("application/json")
    assert got.headers["X-Tower-Event"] == "escalation.opened"
    assert got.headers["X-Tower-Delivery"] == str(delivery.uid)
    stamp, sig = got.headers["X-Tower-Timestamp"], got.headers["X-Tower-Signature"]
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert verify_signature(secret, stamp, sig, got.body)
    # Tampered body, another secret, an old or a missing timestamp: refused.
    assert not verify_signature(secret, stamp, sig, got.body + b" ")
    assert not verify_signature("whsec_other", stamp, sig, got.body)
    assert not verify_signature(secret, str(int(stamp) - 1), sig, got.body)
    later = dt.datetime.fromtimestamp(int(stamp), tz=dt.UTC) + dt.timedelta(minutes=6)
    assert not verify_signature(secret, stamp, sig, got.body, now=later)
    assert not verify_signature(secret, "", sig, got.body)
    # By hand, as a receiver in any language does it.
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + got.body, hashlib.sha256)
    assert sig == "sha256=" + expected.hexdigest()
    body = json.loads(got.body)
    assert body["id"] == str(delivery.uid) and body["event"] == "escalation.opened"
    assert body["client"] == {"code": "ACME", "name": "Acme Pharma"} and body["test"] is False
    assert body["data"] == PAYLOAD | {"due": "2030-01-08"}
    [attempt] = DeliveryAttempt.objects.filter(delivery=delivery)
    assert (attempt.number, attempt.status_code, attempt.ok, attempt.error) == (1, 200, True, "")
    assert '"received": true' in attempt.response_excerpt and attempt.duration_ms < 5000
    assert secret not in delivery.body


def test_teams_and_slack_get_their_incoming_webhook_messages(acme, staff, receiver):
    endpoint(acme, staff, receiver.url("/teams"), Format.TEAMS, "Teams")
    endpoint(acme, staff, receiver.url("/slack"), Format.SLACK, "Slack")
    notify(acme, "escalation.level_changed", PAYLOAD | {"text": "<b>Level 2</b> & up"})
    sent = {r.path: json.loads(r.body) for r in receiver.requests}
    teams = sent["/teams"]
    assert teams["type"] == "message"
    [attachment] = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == PAYLOAD["title"]
    assert card["body"][1]["text"] == "<b>Level 2</b> & up"
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Client"] == "Acme Pharma (ACME)" and facts["Level"] == "1"
    assert facts["Due"] == "2030-01-08" and "People" not in facts  # lists are not facts
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in the tower", "url": PAYLOAD["url"]}
    ]
    slack = sent["/slack"]
    assert slack["text"] == PAYLOAD["title"]
    assert slack["blocks"][0]["text"]["text"] == f"*<{PAYLOAD['url']}|{PAYLOAD['title']}>*"
    assert slack["blocks"][1]["text"]["text"] == "&lt;b&gt;Level 2&lt;/b&gt; &amp; up"
    assert any(
        f["text"] == "*Event*\nescalation.level_changed" for f in slack["blocks"][2]["fields"]
    )
    # Each is signed with its own endpoint's secret.
    assert len({r.headers["X-Tower-Signature"] for r in receiver.requests}) == 2


# --- retries and back-off on a controlled clock -----------------------------------------------


def test_the_back_off_schedule():
    assert [next_attempt_time(n, T0) - T0 for n in range(1, MAX_ATTEMPTS)] == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
    ]
    assert next_attempt_time(MAX_ATTEMPTS, T0) is None and MAX_ATTEMPTS == 5


def test_a_500_is_tried_again_after_a_minute_then_delivered(acme, staff, receiver):
    hook, secret = endpoint(acme, staff, receiver.url())
    receiver.answers = [500]
    [delivery] = notify(acme, "escalation.opened", PAYLOAD, now=T0)
    assert receiver.requests == []  # queued for T0, which the real clock has not reached
    assert deliver_due(now=T0) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert deliver_due(now=T0 + dt.timedelta(seconds=59)) == 0  # not yet
    assert deliver_due(now=T0 + dt.timedelta(minutes=1)) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 2
    assert delivery.finished_at == T0 + dt.timedelta(minutes=1)
    tries = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(t.status_code, t.ok, t.error) for t in tries] == [
        (500, False, "HTTP 500 Internal Server Error"),
        (200, True, ""),
    ]
    assert [t.at for t in tries] == [T0, T0 + dt.timedelta(minutes=1)]
    # Both requests carry the same body and delivery id, each its own signed timestamp.
    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["X-Tower-Delivery"] == second.headers["X-Tower-Delivery"]
    for got, at in zip(receiver.requests, (T0, T0 + dt.timedelta(minutes=1)), strict=True):
        assert got.headers["X-Tower-Timestamp"] == str(int(at.timestamp()))
        assert verify_signature(
            secret,
            got.headers["X-Tower-Timestamp"],
            got.headers["X-Tower-Signature"],
            got.body,
            now=at,
        )
    assert deliver_due(now=T0 + dt.timedelta(days=1)) == 0  # delivered: never again


def test_a_receiver_that_keeps_failing_is_given_up_after_five_attempts(acme, staff, receiver):
    endpoint(acme, staff, receiver.url())
    receiver.answers = [503] * 10
    [delivery] = notify(acme, "escalation.opened", PAYLOAD, now=T0)
    at = T0
    times = []
    for wait in (dt.timedelta(0), *BACKOFF):
        at += wait
        assert deliver_due(now=at - dt.timedelta(seconds=1)) == 0
        assert deliver_due(now=at) == 1
        times.append(at)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert delivery.next_attempt_at is None and delivery.finished_at == times[-1]
    assert [a.at for a in delivery.tries.order_by("number")] == times
    assert times[-1] - T0 == dt.timedelta(minutes=1 + 5 + 30 + 120)
    assert deliver_due(now=at + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == MAX_ATTEMPTS
    # The CMO sends it again: a fresh round, the same delivery id.
    services.send_again(delivery=delivery, user=staff, now=T0 + dt.timedelta(days=1))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 0


def test_an_unreachable_receiver_is_a_failed_attempt_not_an_error(acme, staff, receiver):
    hook, _ = endpoint(acme, staff, receiver.url())
    hook.url = "http://127.0.0.1:9/hook"  # the discard port: nothing listens
    hook.save()
    [delivery] = notify(acme, "escalation.opened", PAYLOAD, now=T0)
    deliver_due(now=T0)
    [attempt] = delivery.tries.all()
    assert attempt.status_code is None and not attempt.ok
    assert "ConnectionRefusedError" in attempt.error


# --- security -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.com/hook", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("javascript:alert(1)", "Only http:// and https://"),
        ("gopher://127.0.0.1:25/", "Only http:// and https://"),
        ("https://", "no host name"),
        ("https://user:pass@example.com/hook", "user names and passwords"),
        ("https://example.com/a b", "spaces"),
        ("https://example.com:99999/", "port"),
        ("https://example.com/" + "x" * 500, "at most 500"),
        ("", "Write the endpoint's URL"),
    ],
)
def test_what_is_not_an_http_url_is_refused(url, error):
    with pytest.raises(WorkflowError, match=error):
        services.check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_addresses_are_refused_unless_allowed(url, settings):
    settings.TOWER_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(WorkflowError, match="private, loopback or reserved"):
        services.check_url(url)
    settings.TOWER_WEBHOOK_ALLOW_PRIVATE = True
    assert services.check_url(url) == url


def test_a_host_name_that_resolves_to_a_private_address_is_refused_when_connecting(
    receiver, settings
):
    settings.TOWER_WEBHOOK_ALLOW_PRIVATE = False
    url = f"http://localhost:{receiver.port}/hook"
    assert services.check_url(url) == url  # a name: checked on the address connected to
    answer = post(url, b"{}", {})
    assert answer.status_code is None and "not a public address" in answer.error
    assert receiver.requests == []
    settings.TOWER_WEBHOOK_ALLOW_PRIVATE = True
    assert post(url, b"{}", {}).status_code == 200 and len(receiver.requests) == 1


def test_redirects_are_not_followed(receiver):
    answer = post(receiver.url("/redirect"), b"{}", {})
    assert answer.status_code == 302 and not answer.ok
    assert "Redirected to http://other.example/" in answer.error and "not followed" in answer.error
    assert [r.path for r in receiver.requests] == ["/redirect"]


def test_a_slow_receiver_times_out(receiver):
    answer = post(receiver.url("/slow"), b"{}", {}, timeout=0.5)
    assert answer.status_code is None and answer.error == "Timed out after 0.5 s"
    assert answer.duration_ms < 1500


def test_a_big_answer_is_read_only_so_far(receiver):
    answer = post(receiver.url("/big"), b"{}", {})
    assert answer.ok and len(answer.excerpt) == 1000 and set(answer.excerpt) == {"x"}


def test_the_secret_stays_out_of_the_history_and_the_pages(client, acme, staff, receiver):
    hook, secret = endpoint(acme, staff, receiver.url())
    assert "secret" not in {f.name for f in Endpoint.history.model._meta.get_fields()}
    services.send_test(endpoint=hook, user=staff)
    delivery = Delivery.objects.get()
    client.force_login(staff)
    pages = [
        f"/agreements/ACME/webhooks/{hook.pk}/",
        "/agreements/ACME/webhooks/",
        "/webhooks/",
        f"/webhooks/{delivery.pk}/",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert secret not in body, url
    assert services.masked_secret(secret) in client.get(pages[0]).content.decode()
    # Renewing shows the new secret once; the old one signs nothing any more.
    response = client.post(f"/agreements/ACME/webhooks/{hook.pk}/secret/")
    hook.refresh_from_db()
    assert hook.secret != secret and hook.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert hook.secret not in client.get(pages[0]).content.decode()


# --- notify() as other apps call it -----------------------------------------------------------


def test_notify_posts_to_the_clients_active_endpoints_or_the_ones_named(
    acme, globex, staff, receiver
):
    one, _ = endpoint(acme, staff, receiver.url("/one"), name="One")
    two, _ = endpoint(acme, staff, receiver.url("/two"), name="Two")
    off, _ = endpoint(acme, staff, receiver.url("/off"), name="Off")
    services.update_endpoint(
        endpoint=off, name="Off", url=None, fmt=Format.JSON, active=False, user=staff
    )
    admin = make_user("boss", admin=True)
    theirs, _ = endpoint(globex, admin, receiver.url("/globex"), name="Globex")
    assert len(notify(acme, "escalation.opened", {"title": "x"})) == 2
    assert sorted(r.path for r in receiver.requests) == ["/one", "/two"]
    # Only the named ones, and never another client's or an inactive one.
    named = notify(acme, "escalation.opened", {}, endpoints=[two, off, theirs])
    assert [d.endpoint for d in named] == [two]
    assert notify(acme, "escalation.opened", {}, endpoints=[]) == []


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("Escalation Opened", {}),
        ("", {}),
        ("e" * 61, {}),
        ("escalation.opened", ["not", "a", "dict"]),
        ("escalation.opened", {"blob": object()}),
        ("escalation.opened", {"blob": "x" * 70_000}),
    ],
)
def test_notify_refuses_a_bad_event_or_payload(acme, event, payload):
    with pytest.raises(ValueError):
        notify(acme, event, payload)


def test_only_the_cmo_configures_endpoints(acme, staff):
    viewer = make_user("vera", acme, Role.CLIENT_VIEWER)
    approver = make_user("carl", acme, Role.CLIENT_APPROVER)
    for user in (viewer, approver):
        with pytest.raises(NotAllowed):
            add_endpoint(client=acme, name="x", url="https://example.com/", fmt="json", user=user)
    hook, _ = add_endpoint(
        client=acme, name="x", url="https://example.com/", fmt="json", user=staff
    )
    with pytest.raises(WorkflowError, match="already has an endpoint named"):
        add_endpoint(client=acme, name="X", url="https://example.com/", fmt="json", user=staff)
    with pytest.raises(WorkflowError, match="Unknown format"):
        add_endpoint(client=acme, name="y", url="https://example.com/", fmt="xml", user=staff)
    with pytest.raises(NotAllowed):
        services.send_test(endpoint=hook, user=approver)
    with pytest.raises(NotAllowed):
        services.renew_secret(endpoint=hook, user=viewer)
    history = list(hook.history.all())
    assert [h.history_user for h in history] == [staff]


# --- pages ------------------------------------------------------------------------------------


def test_the_cmo_adds_an_endpoint_sees_the_secret_once_and_sends_a_test(
    client, acme, staff, receiver
):
    client.force_login(staff)
    assert 'hx-get="/agreements/ACME/webhooks/"' in client.get("/agreements/ACME/").content.decode()
    section = client.get("/agreements/ACME/webhooks/").content.decode()
    assert "No webhook endpoint" in section and 'id="webhook-add"' in section
    response = client.post(
        "/agreements/ACME/webhooks/add/",
        {"name": "Ops channel", "url": receiver.url(), "format": "teams", "active": "on"},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    hook = Endpoint.objects.get()
    assert hook.secret in response.content.decode()
    section = client.get("/agreements/ACME/webhooks/").content.decode()
    assert "Ops channel" in section and hook.secret not in section
    assert services.display_url(hook.url) in section
    response = client.post(f"/agreements/ACME/webhooks/{hook.pk}/test/", follow=True)
    body = response.content.decode()
    assert "A test was queued for Ops channel" in body and "Delivered" in body
    [got] = receiver.requests
    assert got.headers["X-Tower-Event"] == "tower.test"
    card = json.loads(got.body)["attachments"][0]["content"]
    assert card["body"][0]["text"].startswith("Test from the CMO Control Tower")
    delivery = Delivery.objects.get()
    page = client.get(f"/webhooks/{delivery.pk}/").content.decode()
    assert 'id="delivery-body"' in page and "from the receiver" in page
    assert "&lt;b&gt;from the receiver&lt;/b&gt;" in page  # the answer is shown as text


def test_bad_endpoint_input_is_a_message_never_a_500(client, acme, staff, settings):
    settings.TOWER_WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(staff)
    for data, words in [
        ({"name": "x", "url": "ftp://example.com/", "format": "json"}, "Only http"),
        ({"name": "x", "url": "http://127.0.0.1/", "format": "json"}, "private"),
        ({"name": "x", "url": "https://example.com/", "format": "xml"}, "Select a valid choice"),
        ({"name": "", "url": "https://example.com/", "format": "json"}, "required"),
        ({"name": "x", "url": "https://e.com/" + "x" * 600, "format": "json"}, "at most 500"),
        ({}, "required"),
    ]:
        response = client.post("/agreements/ACME/webhooks/add/", data, follow=True)
        assert response.status_code == 200, data
        assert "The endpoint was not added" in response.content.decode(), data
        assert words in response.content.decode(), (data, words)
    assert not Endpoint.objects.exists()
    hook, _ = add_endpoint(
        client=acme, name="Ok", url="https://example.com/hook", fmt="json", user=staff
    )
    page = f"/agreements/ACME/webhooks/{hook.pk}/"
    response = client.post(page, {"name": "Ok", "url": "mailto:x@y.z", "format": "json"})
    assert response.status_code == 200 and "Only http" in response.content.decode()
    # An empty URL keeps the address (it is never shown to be typed again).
    response = client.post(page, {"name": "Renamed", "url": "", "format": "slack"})
    hook.refresh_from_db()
    assert response.status_code == 302
    assert (hook.name, hook.url, hook.format, hook.active) == (
        "Renamed",
        "https://example.com/hook",
        "slack",
        False,
    )


def test_a_client_user_reads_endpoints_and_outcomes_but_no_bodies(client, acme, staff, receiver):
    hook, secret = endpoint(acme, staff, receiver.url())
    [delivery] = notify(acme, "escalation.opened", PAYLOAD)
    viewer = make_user("vera", acme, Role.CLIENT_VIEWER)
    client.force_login(viewer)
    section = client.get("/agreements/ACME/webhooks/").content.decode()
    assert "Integration" in section and 'id="webhook-add"' not in section
    assert "whsec_" not in section
    page = client.get(f"/agreements/ACME/webhooks/{hook.pk}/").content.decode()
    assert "Read-only" in page and "whsec_" not in page and 'id="endpoint-form"' not in page
    detail = client.get(f"/webhooks/{delivery.pk}/").content.decode()
    assert "Delivered" in detail and 'id="delivery-body"' not in detail
    assert "from the receiver" not in detail
    assert client.post(f"/agreements/ACME/webhooks/{hook.pk}/test/").status_code == 403
    assert client.post("/agreements/ACME/webhooks/add/", {"name": "x"}).status_code == 403
    assert client.post(f"/agreements/ACME/webhooks/{hook.pk}/secret/").status_code == 403


def test_the_deliveries_page_filters_and_pages(client, acme, globex, staff, receiver):
    admin = make_user("boss", admin=True)
    one, _ = endpoint(acme, staff, receiver.url(), name="One")
    two, _ = endpoint(globex, admin, receiver.url(), name="Globex two")
    for n in range(55):
        notify(acme, "escalation.opened", {"n": n}, now=T0)  # queued, not yet due
    notify(globex, "escalation.level_changed", {}, now=T0)
    receiver.answers = [500]
    deliver_due(now=T0, limit=1)
    client.force_login(admin)
    page = client.get("/webhooks/")
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 56
    assert len(page.context["page_obj"].object_list) == 50
    assert client.get("/webhooks/?page=2").context["page_obj"].object_list.__len__() == 6
    assert client.get("/webhooks/?client=GLOBEX").context["page_obj"].paginator.count == 1
    assert client.get(f"/webhooks/?endpoint={one.pk}").context["page_obj"].paginator.count == 55
    assert (
        client.get("/webhooks/?event=escalation.level_changed").context["page_obj"].paginator.count
        == 1
    )
    assert client.get("/webhooks/?status=pending").context["page_obj"].paginator.count == 56
    assert client.get("/webhooks/?test=1").context["page_obj"].paginator.count == 0
    empty = client.get("/webhooks/?status=failed&client=ACME")
    assert "No delivery matches these filters" in empty.content.decode()
    bad = client.get("/webhooks/?endpoint=abc&status=nonsense")
    assert bad.status_code == 400 and "Some filters could not be read" in bad.content.decode()
    assert client.get("/webhooks/?client=NOPE").status_code == 404
    # ACME's staff sees ACME's deliveries only.
    client.force_login(staff)
    assert client.get("/webhooks/").context["page_obj"].paginator.count == 55
    assert client.get(f"/webhooks/?endpoint={two.pk}").context["page_obj"].paginator.count == 0
