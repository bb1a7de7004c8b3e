"""Delay notices: composing and sending (validation, widening to an order or product),
superseding with history, acknowledging only one's own, replies, the inbox and its count, the
line page's fragment, and the client's communication log with its downloads."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from tests.communications.conftest import send
from tower.communications import services
from tower.communications.models import (
    Acknowledgement,
    DelayNotice,
    LogEntry,
    NoticeLine,
    Reply,
)
from tower.orders.models import OrderLine
from tower.workflow import NotAllowed, WorkflowError

pytestmark = pytest.mark.django_db


def form(lines, **extra) -> dict:
    return {
        "lines": ",".join(str(line.pk) for line in lines),
        "widen": "lines",
        "expected_date": "2027-02-10",
        "cause": "Batch held in QC",
        "remedial_actions": "Release by Friday",
        "cmo_contact": "Ann Planner",
        "internal_note": "QC lab short of staff",
        **extra,
    }


def test_compose_prefills_and_sending_records_logs_and_redirects(world, client, open_lines):
    client.force_login(world.acme_staff)
    first = open_lines[0]
    page = client.get(f"/communications/notices/new/?lines={first.pk}&expected=2027-02-03")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="2027-02-03"' in body and "ACME-SO-2001" in body
    # Widening counts: this line only, its order (2 open lines), its product (2 in 2027 + SO-1006).
    # No planned batch: widening by batch keeps the line alone.
    assert page.context["widen_counts"] == {"lines": 1, "order": 2, "batch": 1, "product": 3}

    sent = client.post("/communications/notices/new/", form([first], widen="order"))
    notice = DelayNotice.objects.exclude(pk=world.acme_notice.pk).get(client=world.acme)
    assert sent.status_code == 302 and sent["Location"] == f"/communications/notices/{notice.pk}/"
    assert sorted(NoticeLine.objects.filter(notice=notice).values_list("line_id", flat=True)) == [
        open_lines[0].pk,
        open_lines[1].pk,
    ]
    assert notice.sent_by == world.acme_staff and notice.internal_note == "QC lab short of staff"
    entry = LogEntry.objects.get(client=world.acme, subject_id=notice.pk, kind="notice_sent")
    assert entry.side == "cmo" and entry.who == "acme-staff" and not entry.internal
    assert set(entry.entry_lines.values_list("line_id", flat=True)) == {
        open_lines[0].pk,
        open_lines[1].pk,
    }


def test_widening_by_batch_adds_the_open_lines_planned_on_the_same_batches(
    world, client, open_lines
):
    """SO-2001/1 and SO-2002/1 are planned on batch B-77, SO-2001/2 on B-78; a closed line on
    B-77 stays out, as does another client's line with the same batch number."""
    first, second, third = open_lines
    OrderLine.objects.filter(pk__in=[first.pk, third.pk]).update(planned_batch="B-77")
    OrderLine.objects.filter(pk=second.pk).update(planned_batch="B-78")
    OrderLine.objects.filter(pk=world.acme_ok.pk).update(planned_batch="B-77")
    OrderLine.objects.filter(pk=world.globex_open.pk).update(planned_batch="B-77")
    client.force_login(world.acme_staff)
    page = client.get(f"/communications/notices/new/?lines={first.pk}")
    assert page.context["widen_counts"]["batch"] == 2
    client.post("/communications/notices/new/", form([first], widen="batch"))
    notice = DelayNotice.objects.exclude(pk=world.acme_notice.pk).get(client=world.acme)
    assert set(NoticeLine.objects.filter(notice=notice).values_list("line_id", flat=True)) == {
        first.pk,
        third.pk,
    }


def test_compose_refuses_bad_ids_mixed_clients_and_closed_lines(world, client, open_lines):
    client.force_login(world.admin)
    assert client.get("/communications/notices/new/?lines=12,abc").status_code == 400
    mixed = client.get(
        f"/communications/notices/new/?lines={open_lines[0].pk},{world.globex_open.pk}"
    )
    assert mixed.status_code == 400 and "one client" in mixed.content.decode()
    assert client.get("/communications/notices/new/?lines=987654321").status_code == 404
    # A closed line: shown as not open, and sending only it is refused with the reason.
    closed = world.acme_ok
    page = client.get(f"/communications/notices/new/?lines={closed.pk}")
    assert page.status_code == 200 and "not open" in page.content.decode()
    refused = client.post("/communications/notices/new/", form([closed]))
    assert refused.status_code == 200
    assert "Delay notices are for open lines" in refused.content.decode()
    assert not NoticeLine.objects.filter(line=closed).exists()
    # A date out of range is a message, not an error page.
    bad = client.post(
        "/communications/notices/new/", form([open_lines[0]], expected_date="3001-01-01")
    )
    assert bad.status_code == 200 and "between the years 1900 and 2999" in bad.content.decode()


def test_client_users_cannot_send_notices(world, client, open_lines):
    client.force_login(world.acme_viewer)
    page = client.post("/communications/notices/new/", form([open_lines[0]]))
    assert page.status_code == 200 and "written by the CMO's staff" in page.content.decode()
    with pytest.raises(NotAllowed):
        services.send_notice(
            client=world.acme,
            lines=[open_lines[0]],
            cause="x",
            expected_date=open_lines[0].committed_date,
            remedial_actions="x",
            cmo_contact="x",
            user=world.acme_viewer,
        )


def test_a_later_notice_supersedes_line_by_line_and_keeps_the_history(world, open_lines):
    one, two, three = open_lines
    first = send(world, [one, two], cause="Material late")
    second = send(world, [two], cause="QC hold")
    first.refresh_from_db()
    # The first still speaks for line one: not superseded as a whole.
    assert first.superseded_by is None
    assert NoticeLine.objects.get(notice=first, line=two).superseded_by == second
    assert NoticeLine.objects.get(notice=first, line=one).superseded_by is None
    third = send(world, [one, three], cause="Line stop")
    first.refresh_from_db()
    assert first.superseded_by == third and first.superseded_at is not None
    assert first.cause == "Material late"  # what the client read is kept as it was
    assert [h.history_change_reason for h in first.history.order_by("history_date")] == [
        "sent",
        f"superseded by notice {third.pk}",
    ]
    kinds = list(
        LogEntry.objects.filter(client=world.acme, subject_id=first.pk).values_list(
            "kind", flat=True
        )
    )
    assert "notice_sent" in kinds and "notice_superseded" in kinds


def test_the_client_acknowledges_only_its_own_notices_once(world, client, open_lines):
    notice = send(world, [open_lines[0]])
    url = f"/communications/notices/{notice.pk}/acknowledge/"
    # Another client's user: not found, and nothing recorded.
    client.force_login(world.globex_viewer)
    assert client.post(url, {"comment": "ours?"}).status_code == 404
    # The CMO does not acknowledge its own notice.
    client.force_login(world.acme_staff)
    assert client.post(url, {"comment": "x"}).status_code == 403
    assert not Acknowledgement.objects.filter(notice=notice).exists()
    client.force_login(world.acme_viewer)
    done = client.post(url, {"comment": "Noted; we move the launch"}, follow=True)
    assert "acknowledged" in done.content.decode()
    ack = Acknowledgement.objects.get(notice=notice)
    assert ack.user == world.acme_viewer and ack.comment == "Noted; we move the launch"
    notice.refresh_from_db()
    assert notice.acknowledged_at == ack.at
    again = client.post(url, {}, follow=True)
    assert "already acknowledged" in again.content.decode()
    assert Acknowledgement.objects.filter(notice=notice).count() == 1
    entry = LogEntry.objects.get(subject_id=notice.pk, kind="notice_acknowledged")
    assert entry.side == "client" and entry.summary.endswith("Noted; we move the launch")


def test_replies_from_both_sides_form_a_thread_in_the_log(world, client, open_lines):
    notice = send(world, [open_lines[0]])
    client.force_login(world.acme_approver)
    client.post(f"/communications/notices/{notice.pk}/reply/", {"text": "Can you split it?"})
    client.force_login(world.acme_staff)
    client.post(f"/communications/notices/{notice.pk}/reply/", {"text": "Yes: 5 on Monday"})
    assert list(Reply.objects.filter(notice=notice).order_by("at").values_list("side", "text")) == [
        ("client", "Can you split it?"),
        ("cmo", "Yes: 5 on Monday"),
    ]
    client.force_login(world.globex_viewer)
    assert (
        client.post(f"/communications/notices/{notice.pk}/reply/", {"text": "x"}).status_code == 404
    )
    with pytest.raises(WorkflowError):
        services.reply_to_notice(notice=notice, user=world.acme_viewer, text="  ")


def test_inbox_puts_unacknowledged_then_unread_first_and_the_nav_counts_them(
    world, client, open_lines
):
    old = send(world, [open_lines[0]])
    newer = send(world, [open_lines[2]])
    services.acknowledge_notice(notice=newer, user=world.acme_approver)
    client.force_login(world.acme_viewer)
    page = client.get("/communications/inbox/")
    order = [n.pk for n in page.context["page_obj"]]
    # Unacknowledged (world's notice and `old`) before the acknowledged one.
    assert order[-1] == newer.pk and set(order[:2]) == {old.pk, world.acme_notice.pk}
    count = client.get("/communications/inbox/count/").content.decode()
    assert ">2<" in count
    # Opening a notice marks it read for this user only.
    client.get(f"/communications/notices/{old.pk}/")
    page = client.get("/communications/inbox/")
    assert [n.pk for n in page.context["page_obj"]][:2] == [world.acme_notice.pk, old.pk]
    client.force_login(world.globex_viewer)
    assert ">1<" in client.get("/communications/inbox/count/").content.decode()
    assert "ACME" not in client.get("/communications/inbox/").content.decode()


def test_the_line_page_loads_its_notices_through_the_fragment(world, client, open_lines):
    notice = send(world, [open_lines[0]])
    client.force_login(world.acme_viewer)
    page = client.get(f"/lines/{open_lines[0].pk}/").content.decode()
    url = f"/communications/lines/{open_lines[0].pk}/"
    assert f'hx-get="{url}"' in page and f'href="{url}"' in page  # fragment and plain link
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert f"Notice {notice.pk}" in fragment.content.decode()
    full = client.get(url).content.decode()
    assert "<html" in full and f"Notice {notice.pk}" in full
    client.force_login(world.globex_viewer)
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404


def test_the_log_filters_sorts_and_downloads_formula_safe(world, client, open_lines):
    notice = send(world, [open_lines[0]], cause='=HYPERLINK("http://x","click")')
    services.acknowledge_notice(notice=notice, user=world.acme_viewer, comment="ok")
    client.force_login(world.acme_viewer)
    page = client.get("/communications/?side=client")
    assert [e.kind for e in page.context["page_obj"]] == ["notice_acknowledged"]
    by_order = client.get("/communications/?order=ACME-SO-2001&sort=at")
    assert [e.kind for e in by_order.context["page_obj"]] == ["notice_sent", "notice_acknowledged"]
    assert client.get("/communications/?start=2026-13-01").status_code == 400
    assert client.get("/communications/?sort=bogus").status_code == 400
    # The client never sees the CMO's internal entries (here: "not e-mailed, no address").
    assert not any(e.internal for e in client.get("/communications/").context["page_obj"])
    assert LogEntry.objects.filter(client=world.acme, internal=True).exists()
    rows = list(
        csv.DictReader(io.StringIO(client.get("/communications/export.csv").content.decode()))
    )
    sent = [r for r in rows if r["kind"] == "Delay notice sent" and "HYPERLINK" in r["summary"]]
    assert sent and not sent[0]["summary"].startswith("=")
    assert all(r["client"] == "ACME" for r in rows)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/communications/export.xlsx").content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "Delay notice acknowledged" in cells


def test_notice_list_command(world, open_lines, capsys):
    notice = send(world, [open_lines[0], open_lines[1]])
    services.acknowledge_notice(notice=notice, user=world.acme_viewer, comment="fine")
    call_command("notice", "list", "ACME", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert [r["notice"] for r in rows] == [notice.pk, world.acme_notice.pk]
    assert rows[0]["lines"] == "ACME-SO-2001/1 ACME-SO-2001/2"
    assert rows[0]["status"] == "acknowledged" and "acme-viewer" in rows[0]["acknowledgements"]
    assert rows[0]["expected_date"] == "2027-02-10"
    call_command("notice", "list", "ACME", "--format", "csv")
    assert "notice,sent_at" in capsys.readouterr().out
