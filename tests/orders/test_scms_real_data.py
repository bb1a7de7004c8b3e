"""The real SCMS delivery history (shared/data/scms) through the whole pipeline.

Reference figures from shared/data/README.md, computed independently: on time = delivered to
client on or before the scheduled delivery date.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import SHARED_DATA, make_user, shared_rows
from tower.orders.models import Delivery, OrderLine
from tower.tenancy.models import Client, Role

SCMS = SHARED_DATA / "scms"


def otif_json(*args) -> list[dict]:
    out = StringIO()
    call_command("otif", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def scms_imported(django_db_setup, django_db_blocker, tmp_path_factory):
    """The 10,324 lines imported once for the module (most of each test's time before): each
    test rolls back to exactly this database (tests.conftest.shared_rows)."""

    def build() -> str:
        out = StringIO()
        call_command(
            "import_lines",
            str(SCMS / "SCMS_Delivery_History_Dataset.csv"),
            "--profile",
            "scms",
            "--client",
            "USAID",
            "--create-missing",
            stdout=out,
        )
        return out.getvalue()

    yield from shared_rows(django_db_blocker, tmp_path_factory.mktemp("scms-jobs"), build)


@pytest.fixture
def scms(scms_imported, db):
    """What the import printed; the lines are in the test's database."""
    return scms_imported


@pytest.mark.slow
def test_scms_csv_gives_the_readme_figures(scms):
    assert "10324 rows; created 10324 lines" in scms
    assert OrderLine.objects.count() == 10_324 and Delivery.objects.count() == 10_324
    (overall,) = otif_json()
    assert (overall["count"], overall["failed"], overall["on_time_pct"]) == (10_324, 1_186, 88.51)
    # No ordered quantity in this file: Line Item Quantity is both, so every line is in full.
    assert overall["in_full_pct"] == 100.0
    by_mode = {
        r["transport_mode"]: (r["count"], r["failed"], r["on_time_pct"])
        for r in otif_json("--by", "transport_mode")
    }
    assert by_mode == {
        "Air": (6_113, 587, 90.40),
        "Truck": (2_830, 455, 83.92),
        "Air Charter": (650, 75, 88.46),
        "Ocean": (371, 65, 82.48),
        "N/A": (360, 4, 98.89),
    }


@pytest.mark.slow
def test_scms_xlsx_holds_the_same_lines_as_the_csv(scms):
    out = StringIO()
    call_command(
        "import_lines",
        str(SCMS / "SCMS_Data_20151023.xlsx"),
        "--profile",
        "scms",
        "--client",
        "USAID",
        stdout=out,
    )
    assert "created 0 lines, updated 0, 10324 unchanged; 0 deliveries written" in out.getvalue()


@pytest.mark.slow
def test_scms_on_the_web_dashboard_and_its_drill_down(scms, client):
    # Given the client's approver, who lands on the twelve months ending with the last data
    client.force_login(make_user("usaid", Client.objects.get(code="USAID"), Role.CLIENT_APPROVER))
    page = client.get("/").content.decode()
    assert "Jan 2015 – Dec 2015" in page  # not an empty year before today

    # When the whole history is asked for, the cards give the README's figures
    page = client.get("/?from=2006-01&to=2015-12").content.decode()
    assert 'data-figure="gross-otif"' in page
    assert "88.5 %" in page and "1,186" in page and "10,324 measured lines" in page

    # And the failed lines behind the card are the 1,186 late lines
    listing = client.get("/lines/?from=2006-01&to=2015-12&outcome=failed").content.decode()
    assert "Page 1 of 24 · 1,186 lines" in listing


@pytest.mark.slow
def test_the_readme_example_gives_its_figures_next_to_other_clients(scms, write_csv, run_import):
    """The README's `tower otif` lines, run as written on a database that holds another client
    (as after `tower demo`) whose every line failed, print the percentages their comments give."""
    import re
    import shlex
    from pathlib import Path

    other = "client,order,line,product,ordered_qty,committed_date\nDEMO,PO-1,1,X,5,2026-01-10\n"
    assert run_import(write_csv(other, "demo.csv"), create_missing=True).ok
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    examples = re.findall(r"^tower otif (.*?)\s+# (.*)$", readme, flags=re.MULTILINE)
    assert len(examples) == 2
    for arguments, comment in examples:
        figures = {
            r.get("transport_mode"): r["on_time_pct"] for r in otif_json(*shlex.split(arguments))
        }
        for name, percent in re.findall(r"(?:(\w[\w ]*?) )?(\d+\.\d\d) %", comment):
            key = None if name.strip() in ("", "on time overall") else name.strip()
            assert figures[key] == float(percent), (arguments, name, percent)
