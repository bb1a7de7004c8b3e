"""The quality agreement reference on the service agreement: document number, version and
effective date, kept by the CMO's staff and admins, audited, read by the client."""

from __future__ import annotations

import datetime as dt

import pytest

from tower.agreements.models import Agreement
from tower.agreements.services import set_quality_agreement
from tower.workflow import NotAllowed, WorkflowError

URL = "/agreements/ACME/quality-agreement/"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_staff_record_it_and_the_history_keeps_every_version(acme, people):
    set_quality_agreement(
        client=acme,
        number="QA-ACME-001",
        version="3",
        effective_date=dt.date(2025, 3, 1),
        user=people.staff,
    )
    # The same values again write nothing.
    set_quality_agreement(
        client=acme,
        number=" QA-ACME-001 ",
        version="3",
        effective_date=dt.date(2025, 3, 1),
        user=people.staff,
    )
    set_quality_agreement(
        client=acme,
        number="QA-ACME-001",
        version="4",
        effective_date=dt.date(2026, 6, 1),
        user=people.admin,
        reason="annual revision",
    )
    agreement = Agreement.objects.get(client=acme)
    assert (
        agreement.quality_agreement_number,
        agreement.quality_agreement_version,
        agreement.quality_agreement_effective,
    ) == ("QA-ACME-001", "4", dt.date(2026, 6, 1))
    history = list(agreement.history.order_by("history_id"))
    assert [(h.quality_agreement_version, h.history_user) for h in history] == [
        ("3", people.staff),
        ("4", people.admin),
    ]
    assert history[-1].history_change_reason == "annual revision"
    # The scorecard's terms are untouched (the defaults).
    assert (agreement.oos_lookback_days, agreement.currency) == (60, "EUR")


@pytest.mark.parametrize(
    ("number", "version", "effective", "message"),
    [
        ("QA-1", "", dt.date(2026, 1, 1), "together"),
        ("", "2", None, "together"),
        ("QA-1", "2", None, "together"),
        ("x" * 61, "2", dt.date(2026, 1, 1), "at most 60"),
        ("QA\x07", "2", dt.date(2026, 1, 1), "control character"),
        ("QA-1", "2", dt.date(3000, 1, 1), "between the years 1900 and 2999"),
    ],
)
def test_bad_references_are_refused(acme, people, number, version, effective, message):
    with pytest.raises(WorkflowError, match=message):
        set_quality_agreement(
            client=acme,
            number=number,
            version=version,
            effective_date=effective,
            user=people.staff,
        )
    assert not Agreement.objects.exists()


def test_client_users_cannot_change_it(acme, people):
    for who in (people.viewer, people.approver):
        with pytest.raises(NotAllowed):
            set_quality_agreement(
                client=acme,
                number="QA",
                version="1",
                effective_date=dt.date(2026, 1, 1),
                user=who,
            )


def test_the_agreement_page_shows_and_edits_it(client, acme, people):
    client.force_login(people.staff)
    page = client.get("/agreements/ACME/").content.decode()
    assert "No quality agreement recorded yet." in page and "quality-agreement-form" in page
    response = client.post(
        URL,
        {"number": "QA-ACME-001", "version": "3", "effective_date": "2025-03-01", "reason": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "Quality agreement reference saved: QA-ACME-001 version 3, effective 2025-03-01." in page
    assert "Quality agreement" in page and "none → QA-ACME-001 version 3" not in page
    # Removing it: all three empty.
    response = client.post(URL, {"number": "", "version": "", "effective_date": ""}, follow=True)
    assert "Quality agreement reference removed." in response.content.decode()
    page = client.get("/agreements/ACME/").content.decode()
    assert "QA-ACME-001 version 3, effective 2025-03-01 → none" in page  # the history
    # Bad input reads back as a message, never a 500.
    response = client.post(
        URL, {"number": "QA", "version": "1", "effective_date": "2025-02-30"}, follow=True
    )
    assert response.status_code == 200
    assert "The quality agreement reference was not saved." in response.content.decode()


def test_the_client_reads_it_without_the_form(client, acme, people):
    set_quality_agreement(
        client=acme,
        number="QA-ACME-001",
        version="3",
        effective_date=dt.date(2025, 3, 1),
        user=people.staff,
    )
    client.force_login(people.approver)
    page = client.get("/agreements/ACME/").content.decode()
    assert "QA-ACME-001" in page and "2025-03-01" in page
    assert "quality-agreement-form" not in page
    assert (
        client.post(
            URL, {"number": "X", "version": "1", "effective_date": "2026-01-01"}
        ).status_code
        == 403
    )
    client.force_login(people.globex_viewer)
    assert client.get("/agreements/ACME/").status_code == 404
