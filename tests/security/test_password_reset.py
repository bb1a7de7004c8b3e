"""Password reset by e-mail, through a real SMTP server (aiosmtpd on a local port): the mail
carries a working one-time link, the answer never tells whether an account has the e-mail, the
new password passes the validators, and requests are throttled per address and per e-mail."""

from __future__ import annotations

import email
import re
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import make_user

NEW_PASSWORD = "granulation-line-7"


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.DEFAULT_FROM_EMAIL = "tower@cmo.example"
    yield inbox
    controller.stop()


@pytest.fixture
def ann(db):
    user = make_user("ann")
    user.email = "ann@client.example"
    user.save()
    return user


def ask(client, address: str, at: str = "10.1.0.1"):
    return client.post("/accounts/password_reset/", {"email": address}, REMOTE_ADDR=at)


def test_the_mail_carries_a_one_time_link_that_sets_a_valid_password(client, inbox, ann):
    response = ask(client, "ANN@client.example")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    (message,) = inbox.messages
    assert message["X-Envelope-To"] == "ann@client.example"
    assert message["From"] == "tower@cmo.example"
    assert message["Subject"] == "CMO Control Tower: reset your password"
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", body).group(1)

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    url = form.redirect_chain[-1][0]
    weak = client.post(url, {"new_password1": "Password1", "new_password2": "Password1"})
    assert "This password is too common." in weak.content.decode()
    done = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    ann.refresh_from_db()
    assert ann.check_password(NEW_PASSWORD)
    # The link worked once.
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_the_answer_never_tells_whether_the_email_exists(client, inbox, ann):
    known = ask(client, "ann@client.example", at="10.1.1.1")
    unknown = ask(client, "nobody@client.example", at="10.1.1.2")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    page = client.get(known["Location"]).content.decode()
    assert "If the address belongs to an account" in page
    assert len(inbox.messages) == 1  # only the real account got mail


def test_requests_are_throttled_per_email(client, inbox, ann):
    for n in range(5):
        assert ask(client, "ann@client.example", at=f"10.1.2.{n}").status_code == 302
    refused = ask(client, "ann@client.example", at="10.1.2.9")
    assert refused.status_code == 429
    assert "At most 5 password resets" in refused.content.decode()
    assert len(inbox.messages) == 5
    # An unknown e-mail is throttled the same way: a refusal says nothing about the account.
    for n in range(5):
        ask(client, "nobody@client.example", at=f"10.1.3.{n}")
    assert ask(client, "nobody@client.example", at="10.1.3.9").status_code == 429


def test_requests_are_throttled_per_address(client, inbox, ann):
    for n in range(5):
        assert ask(client, f"guess{n}@client.example", at="10.1.4.1").status_code == 302
    assert ask(client, "ann@client.example", at="10.1.4.1").status_code == 429
    assert inbox.messages == []
    assert ask(client, "ann@client.example", at="10.1.4.2").status_code == 302
    assert len(inbox.messages) == 1


def test_sign_in_page_links_to_the_reset(client, db):
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").content.decode()


def test_a_forged_forwarded_address_is_not_a_500(client, inbox, ann, settings):
    settings.TOWER_PROXY_HOPS = 1
    response = client.post(
        "/accounts/password_reset/",
        {"email": "ann@client.example"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="999.1.1.1",
    )
    assert response.status_code == 302 and len(inbox.messages) == 1
