"""Level 3 of the cascade: each CMO function's own KPI on the dashboard (kpis.md 2 and 4).

ACME makes two batches of AMX-500 at EU1 in March 2026:
  B1 materials ready 03-01 for a planned start 03-02, released 03-12 (planned 03-15): on time
  B2 materials ready 03-06 for a planned start 03-05 (late), released 03-25 (planned 03-20)
and B3 of IBU-200 at EU2, materials ready and released on time.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import make_user
from tower.agreements.services import set_kpi_target
from tower.masterdata.models import Product, Site
from tower.quality.models import Batch

D = dt.date


def batch(client, number, product, site, ready, planned_start, released, planned_release):
    Batch.objects.create(
        client=client,
        number=number,
        product=Product.objects.get(client=client, code=product),
        site=Site.objects.get(code=site),
        planned_start=planned_start,
        actual_start=planned_start,
        actual_end=planned_start + dt.timedelta(days=3),
        material_ready_date=ready,
        planned_release_date=planned_release,
        actual_release_date=released,
        disposition="released",
        theoretical_output=100,
        actual_output=98,
    )


@pytest.fixture
def batches(acme_data):
    batch(
        acme_data,
        "B1",
        "AMX-500",
        "EU1",
        D(2026, 3, 1),
        D(2026, 3, 2),
        D(2026, 3, 12),
        D(2026, 3, 15),
    )
    batch(
        acme_data,
        "B2",
        "AMX-500",
        "EU1",
        D(2026, 3, 6),
        D(2026, 3, 5),
        D(2026, 3, 25),
        D(2026, 3, 20),
    )
    batch(
        acme_data,
        "B3",
        "IBU-200",
        "EU2",
        D(2026, 3, 1),
        D(2026, 3, 9),
        D(2026, 3, 19),
        D(2026, 3, 20),
    )
    return acme_data


def area_rows(client, settings, **query):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.test import Client as Browser

    browser = Browser()
    browser.force_login(
        get_user_model().objects.filter(username="boss").first() or make_user("boss", admin=True)
    )
    response = browser.get("/", {"client": "ACME", "from": "2026-03", "to": "2026-03", **query})
    assert response.status_code == 200
    return {row["area"].code: row for row in response.context["area_kpi_rows"]}, response


def test_each_function_shows_its_own_kpi(batches, settings):
    set_kpi_target(
        client=batches,
        kpi="material_readiness",
        target=60,
        tolerance=10,
        user=make_user("x", admin=True),
    )
    rows, response = area_rows(batches, settings)
    assert set(rows) == {"materials", "planning", "manufacturing", "quality", "shipping"}
    # Materials: B1 and B3 ready by their planned start, B2 not -> 2 of 3, 66.7 % >= 60: green.
    assert (rows["materials"]["value"], rows["materials"]["status"]) == ("66.7 %", "green")
    assert rows["materials"]["basis"] == "2 of 3 batches started"
    # QC release: B1 and B3 on time, B2 late -> 66.7 % against the default 90 %: red.
    assert (rows["quality"]["value"], rows["quality"]["status"]) == ("66.7 %", "red")
    # No plan and no planned ship dates were loaded: no data, never 0 % or 100 %.
    assert rows["planning"]["value"] == "no data"
    assert rows["shipping"]["value"] == "no data"
    assert (
        "Each function&#x27;s own KPI" in response.content.decode()
        or "Each function's own KPI" in response.content.decode()
    )


def test_site_and_product_filters_narrow_the_area_kpis(batches, settings):
    rows, _ = area_rows(batches, settings, site="EU1")
    # EU1 holds B1 (ready, on time) and B2 (late, late).
    assert rows["materials"]["basis"] == "1 of 2 batches started"
    rows, _ = area_rows(batches, settings, product="IBU-200")
    assert rows["quality"]["value"] == "100.0 %"


def test_ship_on_planned_date_follows_the_site_filter(acme, import_text, settings):
    # EU1 ships one delivery on plan and one a day late; EU2 ships one on plan.
    import_text(
        "client,order,line,product,site,ordered_qty,committed_date,planned_ship_date,status,"
        "shipped_date,delivered_date,delivered_qty\n"
        "ACME,S-1,1,AMX-500,EU1,10,2026-03-10,2026-03-08,closed,2026-03-08,2026-03-10,10\n"
        "ACME,S-1,2,AMX-500,EU1,10,2026-03-10,2026-03-08,closed,2026-03-09,2026-03-11,10\n"
        "ACME,S-2,1,IBU-200,EU2,10,2026-03-10,2026-03-08,closed,2026-03-07,2026-03-10,10\n"
    )
    rows, _ = area_rows(acme, settings)
    assert (rows["shipping"]["value"], rows["shipping"]["basis"]) == (
        "66.7 %",
        "2 of 3 deliveries shipped",
    )
    rows, _ = area_rows(acme, settings, site="EU1")
    assert rows["shipping"]["basis"] == "1 of 2 deliveries shipped"
    rows, _ = area_rows(acme, settings, product="IBU-200")
    assert rows["shipping"]["value"] == "100.0 %"
