"""The client's stock (kpis.md 8): `tower import stock` with the guarantees of every import
(validated whole, row errors, nothing written on error, idempotent, logged, audited), and the
stock pages: the list with its cover in days, filters, sorting and empty state, and the update
of one row by the client's users or CMO staff (another client's row is a 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.conftest import Role, make_user
from tower.imports import kinds
from tower.imports.models import ImportLog
from tower.masterdata.models import Product
from tower.stock.models import ClientStock
from tower.tenancy.scoping import SYSTEM

D = dt.date

# Cover (days) = on hand / daily demand: 300/20 = 15, 50/10 = 5, 90/30 = 3, 1000/40 = 25.
STOCK = """
client,product,location,date,on_hand,daily_demand
ACME,AMX-500,Berlin DC,2026-03-01,300,20
ACME,AMX-500,Berlin DC,2026-03-08,50,10
ACME,IBU-200,Madrid DC,2026-03-08,90,30
GLOBEX,GLX-100,Globex market,2026-03-08,1000,40
"""


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_stock(path, **options):
    return kinds.import_stock(
        path=path, actor="test", principal=options.pop("principal", SYSTEM), **options
    )


@pytest.fixture
def stock(acme, globex, write_csv):
    report = run_stock(write_csv(STOCK, "stock.csv"), create_missing=True)
    assert report.ok, report.errors
    return report


def rows() -> dict[tuple, tuple]:
    return {
        (s.client.code, s.product.code, s.location, s.date): (s.on_hand, s.daily_demand)
        for s in ClientStock.objects.select_related("client", "product")
    }


def errors_of(report) -> list[tuple]:
    return [(e["row"], e["column"], e["value"], e["reason"]) for e in report.errors.to_dicts()]


# --- the import ------------------------------------------------------------------------------


def test_the_import_stores_every_row_audited_and_logged(stock):
    assert (stock.rows, stock.records_created, stock.records_updated) == (4, 4, 0)
    assert rows()[("ACME", "AMX-500", "Berlin DC", D(2026, 3, 8))] == (50.0, 10.0)
    assert ClientStock.history.count() == 4
    log = ImportLog.objects.get(kind="stock")
    assert (log.outcome, log.rows) == ("applied", 4)


def test_reimporting_the_same_file_writes_nothing(stock, write_csv):
    again = run_stock(write_csv(STOCK, "stock.csv"))
    assert (again.records_created, again.records_updated, again.records_unchanged) == (0, 0, 4)
    assert ClientStock.history.count() == 4


def test_a_changed_count_updates_that_row_only(stock, write_csv):
    report = run_stock(write_csv(STOCK.replace("90,30", "60,30"), "stock.csv"))
    assert (report.records_updated, report.records_unchanged) == (1, 3)
    assert rows()[("ACME", "IBU-200", "Madrid DC", D(2026, 3, 8))] == (60.0, 30.0)


@pytest.mark.parametrize(
    ("cell", "bad", "column", "reason"),
    [
        ("50,10", "-5,10", "on_hand", "must not be negative"),
        ("50,10", "50,0", "daily_demand", "must be more than 0"),
        ("50,10", "50,-1", "daily_demand", "must not be negative"),
        ("50,10", "1e309,10", "on_hand", "out of range"),
        ("50,10", "nan,10", "on_hand", "not a number"),
        ("50,10", "50,2e12", "daily_demand", "out of range"),
        ("50,10", "fifty,10", "on_hand", "not a number"),
        ("2026-03-08,50", "2026-02-30,50", "date", ""),
        ("2026-03-08,50", ",50", "date", "date is required"),
    ],
)
def test_bad_numbers_and_dates_are_row_errors_and_nothing_is_written(
    acme, globex, write_csv, cell, bad, column, reason
):
    report = run_stock(write_csv(STOCK.replace(cell, bad), "stock.csv"), create_missing=True)
    found = [(row, col, why) for row, col, _, why in errors_of(report)]
    assert any(row == 3 and col == column and reason in why for row, col, why in found), found
    assert not ClientStock.objects.exists()
    assert ImportLog.objects.get(kind="stock").outcome == "rejected"


def test_a_location_too_long_is_a_row_error(acme, globex, write_csv):
    report = run_stock(
        write_csv(STOCK.replace("Madrid DC", "M" * 201), "stock.csv"), create_missing=True
    )
    [(row, column, _, reason)] = errors_of(report)
    assert (row, column) == (4, "location") and "200" in reason
    assert not ClientStock.objects.exists()


def test_an_unknown_product_is_an_error_without_create_missing(stock, write_csv):
    report = run_stock(write_csv(STOCK.replace("IBU-200", "NOPE-1"), "stock.csv"))
    [(row, column, value, _)] = errors_of(report)
    assert (row, column, value) == (4, "product", "NOPE-1")
    assert ("ACME", "NOPE-1", "Madrid DC", D(2026, 3, 8)) not in rows()


def test_the_same_product_location_and_date_twice_is_an_error(acme, globex, write_csv):
    doubled = STOCK + "ACME,IBU-200,Madrid DC,2026-03-08,80,30\n"
    report = run_stock(write_csv(doubled, "stock.csv"), create_missing=True)
    [(row, _, _, reason)] = errors_of(report)
    assert row == 6 and reason.startswith("the same stock row as row 4")
    assert not ClientStock.objects.exists()


def test_a_client_user_imports_only_their_own_stock(stock, acme, write_csv):
    viewer = make_user("acme-viewer", acme, Role.CLIENT_VIEWER)
    report = run_stock(write_csv(STOCK, "stock.csv"), principal=viewer)
    assert [(row, column) for row, column, *_ in errors_of(report)] == [(5, "client")]


def test_the_database_refuses_a_demand_of_zero_too(stock):
    row = ClientStock.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientStock.objects.filter(pk=row.pk).update(daily_demand=0)


def test_tower_import_stock_runs_from_the_command_line(acme, globex, write_csv, capsys):
    from django.core.management import call_command

    call_command("import_stock", str(write_csv(STOCK, "stock.csv")), "--create-missing")
    assert ClientStock.objects.count() == 4
    assert "created 4 stock rows" in capsys.readouterr().out


# --- the list --------------------------------------------------------------------------------


def cells(page: str) -> list[list[str]]:
    """The stock table's rows as lists of cell texts (tags stripped)."""
    import re

    body = page.split('id="stock-table"')[1].split("</tbody>")[0].split("<tbody>")[1]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_list_shows_cover_in_days_most_urgent_first(stock, acme, client):
    client.force_login(make_user("viewer", acme, Role.CLIENT_VIEWER))
    page = client.get("/stock/").content.decode()
    got = [(r[0].split()[0], r[1], r[2], r[5], r[6]) for r in cells(page)]
    # Sorted by cover, shortest first; runs out = date + whole days of cover.
    assert got == [
        ("IBU-200", "Madrid DC", "2026-03-08", "3.0", "2026-03-11"),
        ("AMX-500", "Berlin DC", "2026-03-08", "5.0", "2026-03-13"),
        ("AMX-500", "Berlin DC", "2026-03-01", "15.0", "2026-03-16"),
    ]
    assert "globex" not in page.lower()


def test_filters_latest_only_and_sorting(stock, acme, client):
    client.force_login(make_user("boss", admin=True))
    latest = cells(client.get("/stock/?client=ACME&latest=1").content.decode())
    assert [(r[1], r[3]) for r in latest] == [("IBU-200", "2026-03-08"), ("AMX-500", "2026-03-08")]
    by_product = cells(
        client.get("/stock/?client=ACME&product=AMX-500&sort=-date").content.decode()
    )
    assert [r[3] for r in by_product] == ["2026-03-08", "2026-03-01"]
    located = cells(client.get("/stock/?location=madrid").content.decode())
    assert [r[2] for r in located] == ["Madrid DC"]
    everyone = cells(client.get("/stock/?sort=-cover").content.decode())
    assert [r[0] for r in everyone] == ["GLOBEX", "ACME", "ACME", "ACME"]


def test_pagination(acme, client):
    product = Product.objects.create(client=acme, code="P-1", name="P")
    ClientStock.objects.bulk_create(
        ClientStock(
            client=acme,
            product=product,
            location="DC",
            date=D(2026, 1, 1) + dt.timedelta(days=n),
            on_hand=n,
            daily_demand=1,
        )
        for n in range(120)
    )
    client.force_login(make_user("viewer", acme, Role.CLIENT_VIEWER))
    page = client.get("/stock/?page=3").content.decode()
    assert len(cells(page)) == 20 and "Page 3 of 3 · 120 stock rows" in page
    # A page past the end shows the last one; a bad page number the first.
    assert "Page 3 of 3" in client.get("/stock/?page=99").content.decode()
    assert "Page 1 of 3" in client.get("/stock/?page=x").content.decode()


def test_bad_filters_are_a_message_never_a_500(stock, acme, client):
    client.force_login(make_user("viewer", acme, Role.CLIENT_VIEWER))
    response = client.get("/stock/?sort=drop table&location=" + "x" * 300)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Some filters could not be read" in page and "Stock can be sorted by" in page
    assert client.get("/stock/?client=GLOBEX").status_code == 404
    assert client.get("/stock/?client=NOPE").status_code == 404


def test_the_empty_states(acme, client):
    client.force_login(make_user("viewer", acme, Role.CLIENT_VIEWER))
    assert "No stock has been shared yet." in client.get("/stock/").content.decode()
    assert "No stock row matches these filters." in (
        client.get("/stock/?product=NOPE").content.decode()
    )


def test_the_list_runs_a_bounded_number_of_queries(
    stock, acme, client, django_assert_max_num_queries
):
    client.force_login(make_user("boss", admin=True))
    with django_assert_max_num_queries(8):
        assert client.get("/stock/").status_code == 200


# --- one row ---------------------------------------------------------------------------------


def acme_row() -> ClientStock:
    return ClientStock.objects.get(client__code="ACME", product__code="IBU-200")


def globex_row() -> ClientStock:
    return ClientStock.objects.get(client__code="GLOBEX")


@pytest.mark.parametrize(
    "role", [Role.CLIENT_VIEWER, Role.CLIENT_APPROVER, Role.CMO_STAFF, "admin"]
)
def test_client_users_and_cmo_staff_update_a_row_audited(stock, acme, client, role):
    user = make_user("boss", admin=True) if role == "admin" else make_user("u", acme, role)
    client.force_login(user)
    row = acme_row()
    response = client.post(
        f"/stock/{row.pk}/",
        {"date": "2026-03-10", "on_hand": "45", "daily_demand": "15"},
        follow=True,
    )
    page = response.content.decode()
    assert "Stock of IBU-200 in Madrid DC saved: 45 on hand on 2026-03-10, 3.0 days of cover." in (
        page
    )
    row.refresh_from_db()
    assert (row.date, row.on_hand, row.daily_demand) == (D(2026, 3, 10), 45.0, 15.0)
    last = row.history.latest("history_id")
    assert last.history_user == user and last.history_change_reason == "updated on the stock page"
    assert "updated on the stock page" in page.split('id="stock-history"')[1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"on_hand": "-1"}, "On hand</a>: Ensure this value is greater than or equal to 0."),
        ({"daily_demand": "0"}, "Daily demand</a>: Must be more than 0"),
        ({"on_hand": "1e13"}, "On hand</a>: Ensure this value is less than or equal to"),
        ({"on_hand": "nan"}, "On hand</a>: Enter a number."),
        ({"on_hand": "inf"}, "On hand</a>: Enter a number."),
        ({"on_hand": "9" * 400}, "On hand</a>: Enter a number."),
        ({"date": "3026-01-01"}, "Counted on</a>: The date must lie in the years 1900 to 2999."),
        ({"date": "2026-02-30"}, "Counted on</a>: Write the date as YYYY-MM-DD"),
        ({"date": "2026-03-08"}, ""),  # the form is fine; the service refuses (below)
    ],
)
def test_bad_input_is_shown_and_nothing_is_saved(stock, acme, client, data, message):
    client.force_login(make_user("u", acme, Role.CLIENT_VIEWER))
    row = ClientStock.objects.get(client__code="ACME", date=D(2026, 3, 1))
    before = (row.date, row.on_hand, row.daily_demand)
    response = client.post(
        f"/stock/{row.pk}/", {"date": "2026-03-02", "on_hand": "1", "daily_demand": "1"} | data
    )
    assert response.status_code == 400
    page = response.content.decode()
    if message:
        assert message in page
    else:
        assert (
            "AMX-500 in Berlin DC already has a stock row on 2026-03-08: update that one." in page
        )
    row.refresh_from_db()
    assert (row.date, row.on_hand, row.daily_demand) == before


def test_another_clients_row_is_not_found(stock, acme, client):
    client.force_login(make_user("u", acme, Role.CLIENT_APPROVER))
    theirs = globex_row()
    assert client.get(f"/stock/{theirs.pk}/").status_code == 404
    data = {"date": "2026-03-08", "on_hand": "1", "daily_demand": "1"}
    assert client.post(f"/stock/{theirs.pk}/", data).status_code == 404
    assert client.get("/stock/987654321/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.on_hand == 1000.0


def test_the_row_page_shows_cover_and_history_to_a_reader(stock, acme, client):
    client.force_login(make_user("u", acme, Role.CLIENT_VIEWER))
    page = client.get(f"/stock/{acme_row().pk}/").content.decode()
    assert "3.0 days: runs out on 2026-03-11 without a delivery" in page
    assert 'id="stock-form"' in page and "imported from stock.csv" in page


def test_anonymous_visitors_sign_in(stock, client):
    for url in ("/stock/", f"/stock/{acme_row().pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
