"""Building the demo: realistic data pushed through the same import pipeline a CMO would use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tower.bulk import insert_frame, read_frame
from tower.demo.generator import generate
from tower.engine.periods import add_months
from tower.masterdata.models import Product, Site
from tower.orders.models import OrderLine
from tower.orders.services import ImportReport, import_lines
from tower.performance.models import KpiTarget, RootCause
from tower.performance.services import close_month, refresh_outcomes, set_definition
from tower.tenancy.models import Client, Membership, Role
from tower.tenancy.scoping import SYSTEM

ACTOR = "demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    what: str


# Agreements differ by client: two clients negotiated their own OTIF variant.
DEMO_DEFINITIONS = {
    1: (
        {"late_days": 2, "under_pct": 2.0},
        "Two grace days and 2 % under-delivery tolerance agreed in the supply agreement",
    ),
    2: (
        {"basis": "first_committed", "early_days": 5},
        "Client measures against the first committed date; more than 5 days early is a failure",
    ),
}


def demo_exists() -> bool:
    return OrderLine.objects.exists()


@transaction.atomic
def build_demo(
    *, lines: int, seed: int, progress: Callable[[str], None]
) -> tuple[ImportReport, list[DemoAccount]]:
    """Generate the demo data set and load it; returns the import report and demo accounts.

    One transaction: a demo that fails half-way leaves nothing behind to be "reused".
    """
    progress("Generating the demo data set")
    data = generate(seed=seed, lines=lines, end=timezone.localdate())
    for code, name, country in data.sites.select("code", "name", "country").iter_rows():
        Site.objects.update_or_create(code=code, defaults={"name": name, "country": country})
    clients = {}
    for code, name in data.clients.select("code", "name").iter_rows():
        clients[code], _ = Client.objects.update_or_create(code=code, defaults={"name": name})
    for client, code, name, group in data.products.select(
        "client", "code", "name", "product_group"
    ).iter_rows():
        Product.objects.update_or_create(
            client=clients[client], code=code, defaults={"name": name, "product_group": group}
        )
    for index, (parameters, note) in DEMO_DEFINITIONS.items():
        client = list(clients.values())[index]
        if not client.otif_definitions.exists():
            set_definition(client=client, parameters=parameters, actor=ACTOR, note=note)

    folder = Path(settings.DATA_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-order-lines.csv"
    data.rows.write_csv(path, date_format="%Y-%m-%d")
    report = import_lines(path=path, actor=ACTOR, principal=SYSTEM, progress=progress)
    if not report.ok:
        raise RuntimeError(f"the demo data did not import cleanly: {report.summary()}")

    progress("Recording root causes")
    _load_root_causes(data.root_causes, clients)
    for client in clients.values():
        refresh_outcomes(client=client, trigger="demo")
    accounts = _accounts(list(clients.values()))
    _agreements_and_closes(list(clients.values()))
    return report, accounts


# Net OTIF targets per client (index in the catalogue); the others keep the 95 % default.
DEMO_TARGETS = {0: 95.0, 1: 92.0, 2: 97.0, 3: 90.0}
DEMO_CLOSED_MONTHS = 3


def _agreements_and_closes(clients: list[Client]) -> None:
    """Agreement targets, and the last finished months closed for the first two clients."""
    for index, target in DEMO_TARGETS.items():
        for kpi, value in (("otif_net", target), ("otif_gross", target - 5.0)):
            KpiTarget.objects.update_or_create(
                client=clients[index], kpi=kpi, defaults={"target": value, "tolerance": 5.0}
            )
    admin = get_user_model().objects.get(username="cmo-admin")
    last = add_months(timezone.localdate().replace(day=1), -1)
    for client in clients[:2]:
        for back in range(DEMO_CLOSED_MONTHS, 0, -1):
            close_month(
                client=client,
                period=add_months(last, -back),
                user=admin,
                note="Reviewed with the client in the monthly call",
            )


def _load_root_causes(causes: pl.DataFrame, clients: dict[str, Client]) -> None:
    ids = read_frame(
        """SELECT l.id, c.code, o.number, l.line_number FROM orders_orderline l
           JOIN orders_order o ON o.id = l.order_id JOIN tenancy_client c ON c.id = l.client_id""",
        schema={"line_id": pl.Int64, "client": pl.String, "order": pl.String, "line": pl.String},
    )
    client_ids = pl.DataFrame(
        [(code, c.pk) for code, c in clients.items()],
        schema={"client": pl.String, "client_id": pl.Int64},
        orient="row",
    )
    now = timezone.now()
    reviewed = pl.col("status") != "proposed"
    frame = (
        causes.join(ids, on=["client", "order", "line"])
        .join(client_ids, on="client")
        .join(
            read_frame("SELECT line_id FROM performance_rootcause", schema={"line_id": pl.Int64}),
            on="line_id",
            how="anti",
        )
        .select(
            "client_id",
            "line_id",
            pl.col("code").alias("code_id"),
            "status",
            pl.col("comment"),
            pl.lit("").alias("internal_note"),
            pl.lit("planner").alias("proposed_by"),
            pl.lit(now).alias("proposed_at"),
            pl.when(reviewed)
            .then(pl.col("client").str.to_lowercase() + "-approver")
            .otherwise(pl.lit(""))
            .alias("reviewed_by"),
            pl.when(reviewed).then(pl.lit(now)).alias("reviewed_at"),
            pl.when(pl.col("status") == "disputed")
            .then(pl.lit("We do not agree: the delay was on the CMO side, please review."))
            .otherwise(pl.lit(""))
            .alias("review_comment"),
        )
    )
    insert_frame(RootCause._meta.db_table, frame)
    # Give every demo cause its first history record, so line pages show where it came from.
    RootCause.history.bulk_history_create(
        list(RootCause.objects.exclude(pk__in=RootCause.history.values("id"))),
        default_change_reason="loaded with the demo data",
        default_date=now,
    )


def _accounts(clients: list[Client]) -> list[DemoAccount]:
    """Demo sign-ins: a CMO admin, a planner, and a viewer and an approver for two clients."""
    User = get_user_model()
    accounts = [DemoAccount("cmo-admin", "demo-admin-2026", "CMO admin: every client")]
    accounts.append(DemoAccount("planner", "demo-planner-2026", "CMO staff (planner): all clients"))
    for client in clients[:2]:
        slug = client.code.lower()
        accounts.append(
            DemoAccount(f"{slug}-viewer", f"demo-{slug}-2026", f"client viewer: {client.name}")
        )
        accounts.append(
            DemoAccount(f"{slug}-approver", f"demo-{slug}-2026", f"client approver: {client.name}")
        )
    for account in accounts:
        user, created = User.objects.get_or_create(username=account.username)
        if created:
            user.set_password(account.password)
            user.is_staff = user.is_superuser = account.username == "cmo-admin"
            user.save()
    planner = User.objects.get(username="planner")
    for client in clients:
        Membership.objects.get_or_create(
            user=planner, client=client, defaults={"role": Role.CMO_STAFF}
        )
    for client in clients[:2]:
        slug = client.code.lower()
        for suffix, role in (("viewer", Role.CLIENT_VIEWER), ("approver", Role.CLIENT_APPROVER)):
            user = User.objects.get(username=f"{slug}-{suffix}")
            Membership.objects.get_or_create(user=user, client=client, defaults={"role": role})
    return accounts


def accounts_for_existing_demo() -> list[DemoAccount]:
    return _accounts(list(Client.objects.order_by("id")))
