"""FMEA rows for tests: one per client (created on first use) for the isolation walk, and a
helper that rates a row in one call."""

import datetime as dt

from tower.harmonisation import services
from tower.harmonisation.models import FmeaAction, FmeaItem, ProcessArea
from tower.masterdata.models import Site
from tower.tenancy.scoping import SYSTEM


def ratings(site, client, patient, o, d) -> dict:
    return {
        "severity_site": site,
        "severity_client": client,
        "severity_patient": patient,
        "occurrence": o,
        "detection": d,
    }


def sites(*codes: str) -> list[Site]:
    return [Site.objects.get_or_create(code=code, defaults={"name": code})[0] for code in codes]


def add_item(client=None, *, area="batch_records", at=("EU1", "US1"), r=(7, 8, 6, 5, 4), **kw):
    return services.create_item(
        user=kw.pop("user", SYSTEM),
        client=client,
        process_area=ProcessArea.objects.get(code=area),
        sites=sites(*at),
        difference=kw.pop("difference", f"Batch-record templates differ ({client or 'all'})"),
        failure_mode=kw.pop("failure_mode", "The client's QA reads two layouts and queries both"),
        ratings=ratings(*r),
        reason=kw.pop("reason", "First assessment"),
    )


def fmea_item(client) -> FmeaItem:
    """The client's FMEA row (its difference names the client, so an isolation check sees it)."""
    found = FmeaItem.objects.filter(client=client).order_by("pk").first()
    return found or add_item(client, difference=f"{client.name}: templates differ")


def fmea_action(client) -> FmeaAction:
    item = fmea_item(client)
    found = FmeaAction.objects.filter(item=item).order_by("pk").first()
    return found or services.add_action(
        user=SYSTEM,
        item=item,
        description=f"{client.name}: one template for every site",
        owner="QA head",
        due_date=dt.date(2026, 9, 30),
    )
