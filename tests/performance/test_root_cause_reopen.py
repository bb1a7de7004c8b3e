"""Correcting an approved root cause (services.reopen_root_cause): an explicit, audited step.

Data: tests/performance/conftest.py. March 2026 of ACME has 4 measured lines, 1 OTIF; PO-1/2
(IBU-200, due 03-10) is 3 days late, PO-2/1 short, PO-3/1 not delivered. Approving the client
cause CLI-ARTWORK for PO-1/2 makes net OTIF 2 of 4; reopening it takes it back to 1 of 4.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.performance.conftest import ACME_MARCH, MARCH, failure_rows, line, monthly
from tower.masterdata.models import Product
from tower.performance.models import RootCause, RootCauseStatus
from tower.performance.services import (
    approve_root_cause,
    propose_root_cause,
    reopen_root_cause,
)
from tower.scorecards.services import report_stock_out
from tower.stockouts.models import StockOutEvent
from tower.workflow import NotAllowed, WorkflowError

REASON = "The artwork was in fact delivered on time; the filler broke down."


def approved(people, code="CLI-ARTWORK", order="PO-1", number="2") -> RootCause:
    cause = propose_root_cause(
        line=line(order, number), code=code, comment="Artwork late", user=people["staff"]
    )
    return approve_root_cause(root_cause=cause, user=people["approver"], comment="Agreed")


@pytest.mark.parametrize("who", ["admin", "approver"])
def test_reopening_puts_the_cause_back_to_proposed_and_net_otif_back(acme_data, people, who):
    cause = approved(people)
    assert monthly(acme_data, MARCH)["net_otif"] == 2

    reopened = reopen_root_cause(cause=cause, by=people[who], reason=f"  {REASON} ")

    assert reopened.status == RootCauseStatus.PROPOSED
    assert (reopened.code_id, reopened.comment) == ("CLI-ARTWORK", "Artwork late")
    assert (reopened.reviewed_by, reopened.reviewed_at, reopened.review_comment) == ("", None, "")
    assert (reopened.reopened_by, reopened.reopen_reason) == (people[who].username, REASON)
    assert monthly(acme_data, MARCH) == ACME_MARCH  # net OTIF 1 of 4 again
    assert failure_rows(acme_data, MARCH) == {
        ("client", "CLI-ARTWORK", "proposed", 1, 0),
        ("unclassified", None, "unclassified", 2, 0),
    }
    latest = reopened.history.first()
    assert latest.history_user == people[who] and latest.history_change_reason == "reopened"
    assert (latest.status, latest.reopen_reason) == ("proposed", REASON)
    # The client can decide again.
    again = approve_root_cause(root_cause=reopened, user=people["approver"])
    assert again.status == RootCauseStatus.APPROVED and monthly(acme_data, MARCH)["net_otif"] == 2


@pytest.mark.parametrize("who", ["staff", "viewer", "other_approver"])
def test_only_a_cmo_admin_or_the_client_approver_may_reopen(acme_data, people, who):
    cause = approved(people)
    with pytest.raises(NotAllowed):
        reopen_root_cause(cause=cause, by=people[who], reason=REASON)
    cause.refresh_from_db()
    assert cause.status == RootCauseStatus.APPROVED and monthly(acme_data, MARCH)["net_otif"] == 2


def test_a_reopen_needs_a_reason_and_an_approved_cause(acme_data, people):
    cause = approved(people)
    with pytest.raises(WorkflowError, match="Give the reason"):
        reopen_root_cause(cause=cause, by=people["admin"], reason="   ")
    reopen_root_cause(cause=cause, by=people["admin"], reason=REASON)
    with pytest.raises(WorkflowError, match="only an approved one can be reopened"):
        reopen_root_cause(cause=cause, by=people["admin"], reason=REASON)


def test_reopening_a_cmo_cause_takes_back_the_stock_out_it_explained(acme_data, people):
    cause = approved(people, code="MFG-EQUIPMENT")
    event = report_stock_out(
        client=acme_data,
        product=Product.objects.get(client=acme_data, code="IBU-200"),
        location="DE",
        start_date=dt.date(2026, 3, 20),
        end_date=None,
        user=people["viewer"],
    )
    assert event.cmo_caused

    reopen_root_cause(cause=cause, by=people["approver"], reason=REASON)

    event = StockOutEvent.objects.get(pk=event.pk)
    assert not event.cmo_caused and not event.links.exists()
    # The cause is proposed again: whether the CMO caused the stock-out is open once more.
    assert event.attribution == "undetermined"


def test_the_cli_reopens_with_a_reason(acme_data, people):
    approved(people)
    out = StringIO()
    call_command("rootcause", "reopen", "ACME", "PO-1/2", "--reason", REASON, stdout=out)
    assert "ACME PO-1/2: root cause CLI-ARTWORK reopened" in out.getvalue()
    cause = RootCause.objects.get(line=line("PO-1", "2"))
    assert (cause.status, cause.reopened_by, cause.reopen_reason) == ("proposed", "system", REASON)
    assert monthly(acme_data, MARCH)["net_otif"] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["ACME", "PO-1/2", "--reason", " "], "Give the reason"),
        (["ACME", "PO-1/1", "--reason", REASON], "ACME PO-1/1 has no root cause"),
        (["ACME", "PO-9/1", "--reason", REASON], "ACME has no order line PO-9/1"),
        (["ACME", "PO-1", "--reason", REASON], "Name the line as ORDER/LINE"),
        (["NOPE", "PO-1/2", "--reason", REASON], "NOPE"),
    ],
)
def test_the_cli_says_what_is_wrong(acme_data, people, args, message):
    approved(people)
    with pytest.raises(CommandError, match=message):
        call_command("rootcause", "reopen", *args, stdout=StringIO())
    assert RootCause.objects.get(line=line("PO-1", "2")).status == RootCauseStatus.APPROVED
