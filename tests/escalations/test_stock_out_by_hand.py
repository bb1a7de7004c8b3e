"""'Open an escalation' on a stock-out's page, like 'Escalate this line' on a line's: either
side opens one by hand, at most one is open per stock-out whoever opened it (by hand or the
reported-stock-out trigger), and another client's stock-out is a 404."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_user
from tower.agreements import services as agreements
from tower.agreements.models import EscalationTrigger
from tower.escalations import services
from tower.escalations.models import Escalation
from tower.escalations.triggers import evaluate_triggers
from tower.masterdata.models import Product
from tower.stockouts.models import StockOutEvent
from tower.tenancy.models import Role
from tower.tenancy.scoping import SYSTEM
from tower.workflow import WorkflowError

from .conftest import berlin

pytestmark = pytest.mark.django_db
NOW = berlin("2026-12-07 10:00")  # a Monday


def stock_out(client, code, source=StockOutEvent.Source.REPORTED) -> StockOutEvent:
    return StockOutEvent.objects.create(
        client=client,
        product=Product.objects.get(client=client, code=code),
        location="Berlin",
        start_date=dt.date(2026, 12, 6),
        source=source,
    )


@pytest.mark.parametrize("who", ["viewer", "staff"])
def test_either_side_opens_one_from_the_stock_out_page(ew, client, who):
    event = stock_out(ew.acme, "ACME-AMOXI-500")
    client.force_login(getattr(ew, who))
    page = client.get(f"/stock-outs/{event.pk}/").content.decode()
    assert f'href="/escalations/new/?stock_out={event.pk}"' in page  # "Open an escalation"
    form = client.get(f"/escalations/new/?stock_out={event.pk}").content.decode()
    assert "on the stock-out of ACME-AMOXI-500 in Berlin" in form
    assert 'value="Stock-out of ACME-AMOXI-500 in Berlin"' in form  # the title, to keep or edit
    answer = client.post(
        "/escalations/new/",
        {"client": "ACME", "title": "Patients waiting", "stock_out": str(event.pk)},
    )
    assert answer.status_code == 302
    (opened,) = Escalation.objects.all()
    assert (opened.kind, opened.subject_type, opened.subject_id) == (
        "manual",
        "stock_out",
        event.pk,
    )
    assert opened.subject_url == f"/stock-outs/{event.pk}/" and opened.level == 1
    assert opened.opened_by_name == who
    # Now the page names the open escalation instead of offering a second.
    page = client.get(f"/stock-outs/{event.pk}/").content.decode()
    assert f'href="/escalations/{opened.pk}/"' in page and "?stock_out=" not in page
    # Asking again leads to the open one; posting again is refused with a message.
    again = client.get(f"/escalations/new/?stock_out={event.pk}")
    assert again.status_code == 302 and again["Location"] == f"/escalations/{opened.pk}/"
    refused = client.post(
        "/escalations/new/", {"client": "ACME", "title": "again", "stock_out": str(event.pk)}
    )
    assert refused.status_code == 302 and Escalation.objects.count() == 1


def test_one_open_escalation_per_stock_out_whoever_opens_it(ew):
    agreements.set_escalation_trigger(
        client=ew.acme, kind=EscalationTrigger.Kind.STOCK_OUT_REPORTED, enabled=True,
        threshold=None, user=SYSTEM,
    )  # fmt: skip
    event = stock_out(ew.acme, "ACME-AMOXI-500")
    by_hand = services.open_by_hand(
        client=ew.acme, title="x", text="", user=ew.staff, stock_out=event, now=NOW
    )
    # The trigger finds the same stock-out: it does not open a second.
    assert evaluate_triggers(now=NOW) == []
    with pytest.raises(WorkflowError, match=f"Escalation {by_hand.pk} is already open"):
        services.open_by_hand(client=ew.acme, title="y", text="", user=ew.viewer, stock_out=event)
    # And the other way round: the trigger's escalation blocks one by hand.
    other = stock_out(ew.acme, "ACME-IBUPRO-200")
    (triggered,) = evaluate_triggers(now=NOW)
    assert triggered.subject_id == other.pk
    with pytest.raises(WorkflowError, match=f"Escalation {triggered.pk} is already open"):
        services.open_by_hand(client=ew.acme, title="z", text="", user=ew.staff, stock_out=other)
    # Once resolved, a new one may be opened by hand.
    services.resolve(escalation=by_hand, user=ew.staff, text="Stock back")
    again = services.open_by_hand(
        client=ew.acme, title="again", text="", user=ew.staff, stock_out=event
    )
    assert again.pk != by_hand.pk


def test_another_clients_stock_out_is_a_404(ew, client):
    theirs = stock_out(ew.globex, "GLOBEX-X")
    client.force_login(ew.viewer)
    assert client.get(f"/escalations/new/?stock_out={theirs.pk}").status_code == 404
    assert (
        client.post(
            "/escalations/new/", {"client": "ACME", "title": "x", "stock_out": str(theirs.pk)}
        ).status_code
        == 404
    )
    assert client.get("/escalations/new/?stock_out=abc").status_code == 404
    with pytest.raises(WorkflowError, match="same client"):
        services.open_by_hand(client=ew.acme, title="x", text="", user=ew.staff, stock_out=theirs)
    assert not Escalation.objects.exists()
    # A user without a role at the client does not get the link (nor the page: 404).
    outsider = make_user("outsider", ew.globex, Role.CLIENT_VIEWER)
    client.force_login(outsider)
    assert client.get(f"/stock-outs/{stock_out(ew.acme, 'ACME-IBUPRO-200').pk}/").status_code == 404
