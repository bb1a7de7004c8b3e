"""Building the demo: realistic data pushed through the same import pipelines a CMO would use
(order lines, batches, deviations, CAPAs, plan, stock-outs), and the quarterly-review records
written through the scorecard services a user would call, so that their history is recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tower.actions import services as actions
from tower.agreements import services as agreement_services
from tower.bulk import insert_frame, read_frame
from tower.communications import services as communications
from tower.communications.queries import open_lines
from tower.demo.early_warning import load_early_warning
from tower.demo.escalations import build_escalations
from tower.demo.generator import DemoData, generate
from tower.demo.harmonisation import build_fmea, build_process_maps
from tower.demo.improvement import build_improvement
from tower.demo.meetings import build_meetings
from tower.demo.projects import build_projects
from tower.demo.review import QUESTIONS
from tower.demo.team import build_teams
from tower.demo.webhooks import build_webhooks
from tower.engine.periods import add_months, parse_period
from tower.imports.kinds import (
    import_batches,
    import_capas,
    import_deviations,
    import_plan,
    import_stockouts,
)
from tower.imports.lines import ImportReport, import_lines
from tower.masterdata.models import Product, Site
from tower.orders.models import OrderLine
from tower.performance.models import RootCause
from tower.performance.services import close_month, refresh_outcomes, set_definition
from tower.scorecards import services as scorecards
from tower.tenancy.models import Client, Membership, Role
from tower.tenancy.scoping import SYSTEM

ACTOR = "demo"
# Progress steps of build_demo: generating, the six of the order-line import, root causes, the
# five record imports, the review records, the forward half (tower.demo.early_warning) and the
# improvement projects and lessons (tower.demo.improvement).
BUILD_STEPS = 1 + 6 + 1 + 5 + 1 + 1 + 1


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
    _import_records(data, folder, progress)
    progress("Recording surveys, agreement terms and review notes")
    _review(data, clients)
    build_projects(list(clients.values()))
    admin = get_user_model().objects.get(username="cmo-admin")
    build_teams(list(clients.values()), admin)
    build_webhooks(list(clients.values()), admin)  # switched off: the demo posts nothing
    _close_months(list(clients.values()))
    progress("Recording improvement projects and lessons learned")
    build_improvement(list(clients.values()))
    progress("Sending delay notices")
    _delay_notices(list(clients.values()))
    progress("Recording quality agreements and meetings")
    build_meetings(list(clients.values()), timezone.localdate())
    load_early_warning(folder=folder, today=timezone.localdate(), seed=seed, progress=progress)
    build_fmea(list(clients.values()))
    build_process_maps()
    progress("Recording site calendars, escalation matrices and escalations")
    build_escalations(list(clients.values()))
    return report, accounts


# Each record kind through its import, in the order their references need: batches before
# the deviations raised on them, deviations before their CAPAs; stock-outs last, once the root
# causes they are attributed by are stored.
RECORD_IMPORTS = (
    ("batches", "Importing batches", import_batches),
    ("deviations", "Importing deviations", import_deviations),
    ("capas", "Importing CAPAs", import_capas),
    ("plan", "Importing the production plan", import_plan),
    ("stock_outs", "Importing customer stock-outs", import_stockouts),
)


def _import_records(data: DemoData, folder: Path, progress: Callable[[str], None]) -> None:
    for name, label, import_file in RECORD_IMPORTS:
        progress(label)
        frame = getattr(data, name)
        if name == "stock_outs":
            # The client reports a couple on the web (_review); the rest come from a file.
            frame = frame.filter(pl.col("source") == "imported").drop("source")
        path = folder / f"demo-{name.replace('_', '-')}.csv"
        frame.write_csv(path, date_format="%Y-%m-%d")
        report = import_file(path=path, actor=ACTOR, principal=SYSTEM)
        if not report.ok:
            raise RuntimeError(f"the demo {name} did not import cleanly: {report.summary()}")


def _review(data: DemoData, clients: dict[str, Client]) -> None:
    """What the quarterly reviews added, written through the scorecard services so that each
    record has its history: agreement terms and targets (the CMO admin), the survey (the
    client's users), stock-outs the client reported, commentary and actions (the planner)."""
    User = get_user_model()
    admin = User.objects.get(username="cmo-admin")
    planner = User.objects.get(username="planner")
    review = data.review
    for code, lookback, currency in review.agreements.iter_rows():
        scorecards.set_agreement(
            client=clients[code], oos_lookback_days=lookback, currency=currency, user=admin
        )
    for code, kpi, target, tolerance in review.targets.iter_rows():
        agreement_services.set_kpi_target(
            client=clients[code],
            kpi=kpi,
            target=target,
            tolerance=tolerance,
            user=admin,
            reason="agreed in the supply agreement",
        )
    for code, kind, rate, description in review.penalties.iter_rows():
        agreement_services.add_penalty_term(
            client=clients[code], kind=kind, rate=rate, description=description, user=admin
        )

    respondents = _client_users(review.surveys.select("client", "user").unique(), clients)
    for survey in review.surveys.iter_rows(named=True):
        scorecards.submit_survey(
            client=clients[survey["client"]],
            period=parse_period(survey["period"]),
            ratings={q: survey[q] for q in QUESTIONS},
            comment=survey["comment"],
            user=respondents[survey["user"]],
        )
    products = {
        (p.client_id, p.code): p for p in Product.objects.filter(client__in=clients.values())
    }
    reported = data.stock_outs.filter(pl.col("source") == "reported")
    for event in reported.iter_rows(named=True):
        client = clients[event["client"]]
        scorecards.report_stock_out(
            client=client,
            product=products[client.pk, event["product"]],
            location=event["location"],
            start_date=event["start_date"],
            end_date=event["end_date"],
            note=event["note"],
            user=User.objects.get(username=f"{client.code.lower()}-viewer"),
        )

    for code, period, kpi, text in review.comments.iter_rows():
        scorecards.set_kpi_comment(
            client=clients[code], period=parse_period(period), kpi=kpi, text=text, user=planner
        )
    for action in review.actions.iter_rows(named=True):
        agreed = scorecards.add_action(
            client=clients[action["client"]],
            period=parse_period(action["period"]),
            title=action["title"],
            owner=action["owner"],
            due_date=action["due_date"],
            kpi=action["kpi"],
            user=planner,
        )
        if action["status"] != agreed.status:
            actions.set_status(
                action=agreed, status=action["status"], user=planner, note="reviewed as done"
            )


DEMO_NOTICES = (
    (
        "The active ingredient arrived late from our supplier; production starts one week later.",
        "Material expedited by air; production moved to the weekend shift.",
    ),
    (
        "The batch is held in QC: a retest of the dissolution result is under way.",
        "Retest on priority; the release is planned right after it, with a second QC analyst.",
    ),
)


def _delay_notices(clients: list[Client]) -> None:
    """Delay notices from the planner on the open lines of a few orders of the first two clients
    (through the service: superseding, the log, the e-mail the worker writes to DATA_DIR/mail),
    one acknowledged with a comment and one answered with a question."""
    User = get_user_model()
    planner = User.objects.get(username="planner")
    for client in clients[:2]:
        slug = client.code.lower()
        for suffix in ("viewer", "approver"):
            User.objects.filter(username=f"{slug}-{suffix}", email="").update(
                email=f"{slug}-{suffix}@example.com"
            )
        orders = list(
            open_lines(OrderLine.objects.filter(client=client))
            .order_by("committed_date", "order_id")
            .values_list("order_id", flat=True)
            .distinct()[:3]
        )
        for index, order in enumerate(orders):
            lines = list(open_lines(OrderLine.objects.filter(client=client, order_id=order)))
            due = max((line.committed_date or timezone.localdate()) for line in lines)
            cause, remedy = DEMO_NOTICES[index % len(DEMO_NOTICES)]
            notice = communications.send_notice(
                client=client,
                lines=lines,
                cause=cause,
                expected_date=max(due, timezone.localdate()) + dt.timedelta(days=7 + index),
                remedial_actions=remedy,
                cmo_contact="Planner, CMO supply chain <planner@example.com>",
                internal_note="Demo: watch the supplier's next delivery.",
                user=planner,
            )
            if index == 0:
                communications.acknowledge_notice(
                    notice=notice,
                    user=User.objects.get(username=f"{slug}-approver"),
                    comment="Noted: we use safety stock until then.",
                )
            elif index == 1:
                communications.reply_to_notice(
                    notice=notice,
                    user=User.objects.get(username=f"{slug}-viewer"),
                    text="Could you ship a partial quantity this week?",
                )


def _client_users(pairs: pl.DataFrame, clients: dict[str, Client]) -> dict:
    """The client users who answer the survey (viewers, no password: they do not sign in)."""
    User = get_user_model()
    users = {}
    for code, username in pairs.sort("client", "user").iter_rows():
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        Membership.objects.get_or_create(
            user=user, client=clients[code], defaults={"role": Role.CLIENT_VIEWER}
        )
        users[username] = user
    return users


DEMO_CLOSED_MONTHS = 3


def _close_months(clients: list[Client]) -> None:
    """The last finished months closed for the first two clients."""
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
