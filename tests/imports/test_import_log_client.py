"""The import log carries its client (design.md, Scale path: every client-owned row has
client_id), and the refresh after an import is one explicit call (tower.imports.refresh)."""

from tower.imports.models import ImportLog
from tower.performance.models import OutcomeRefresh

ONE_CLIENT = """
client,order,line,product,site,ordered_qty,committed_date,status,delivered_date,delivered_qty
ACME,PO-1,1,AMX-500,EU1,100,2026-01-10,closed,2026-01-10,100
"""
TWO_CLIENTS = ONE_CLIENT + "GLOBEX,G-1,1,GLX-1,EU1,10,2026-01-10,closed,2026-01-12,10\n"


def test_an_import_of_one_clients_data_is_logged_with_that_client(acme, write_csv, run_import):
    assert run_import(write_csv(ONE_CLIENT), create_missing=True).ok
    log = ImportLog.objects.get()
    assert (log.client, log.client_codes) == (acme, "ACME")
    # The lines' outcomes were refreshed once, by the import, for that client.
    assert list(OutcomeRefresh.objects.values_list("client__code", "trigger")) == [
        ("ACME", "import")
    ]


def test_a_file_of_several_clients_names_them_without_one_client(
    acme, globex, write_csv, run_import
):
    assert run_import(write_csv(TWO_CLIENTS), create_missing=True).ok
    log = ImportLog.objects.get()
    assert (log.client, log.client_codes) == (None, "ACME,GLOBEX")
    assert sorted(OutcomeRefresh.objects.values_list("client__code", flat=True)) == [
        "ACME",
        "GLOBEX",
    ]


def test_a_rejected_import_is_logged_with_its_client(acme, write_csv, run_import):
    report = run_import(
        write_csv(ONE_CLIENT.replace("100,2026-01-10,closed", "x,2026-01-10,closed", 1))
    )
    assert not report.ok
    log = ImportLog.objects.get()
    assert (log.outcome, log.client) == ("rejected", acme)
