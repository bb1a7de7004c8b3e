"""The demo's customer-lens FMEA across the three sites (Lyon, Cork, Basel) and its process maps:
rows of every priority (H, M, L), one harmonised with a completed and verified action and
revised ratings, open and overdue actions; and the default process map of every site. Written
through the services a CMO user would call, so ratings and changes have their history."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from tower.harmonisation import services as fmea
from tower.harmonisation.models import FmeaItem, ProcessArea
from tower.masterdata.models import Site
from tower.processes.services import seed_default_map
from tower.tenancy.models import Client
from tower.tenancy.scoping import SYSTEM

# (process area, sites, client index or None for every client, what differs, failure mode,
#  S site, S client, S patient, O, D). The priority of each is in the comment.
ROWS = (
    (
        "release",
        ("LYO", "CRK", "BSL"),
        None,
        "Each site writes its own certificate of analysis layout and release e-mail",
        "The client's QA cannot release on receipt: documents are queried and the batch waits",
        6,
        8,
        7,
        7,
        8,
    ),  # S8 O7 D8: H
    (
        "batch_records",
        ("LYO", "CRK"),
        0,
        "Batch-record templates differ (paper in Lyon, electronic in Cork)",
        "Batch-record review findings differ by site; the client's auditors raise the same "
        "observation twice",
        5,
        7,
        9,
        5,
        6,
    ),  # S9 O5 D6: H
    (
        "shipping",
        ("LYO", "BSL"),
        None,
        "Shipping documents (packing list, temperature log) are prepared differently",
        "Goods held at the client's receiving dock for missing or inconsistent documents",
        4,
        6,
        3,
        6,
        5,
    ),  # S6 O6 D5: M
    (
        "planning",
        ("LYO", "CRK", "BSL"),
        1,
        "Frozen horizon is two weeks in Cork, four elsewhere",
        "Order changes accepted by one site are refused by another; promised dates move",
        3,
        7,
        2,
        4,
        3,
    ),  # S7 O4 D3: M
    (
        "procurement",
        ("CRK", "BSL"),
        None,
        "Supplier qualification status kept in two different systems",
        "A component from an unqualified supplier delays a batch the client was promised",
        5,
        6,
        6,
        3,
        4,
    ),  # S6 O3 D4: L
    (
        "order_handling",
        ("LYO", "BSL"),
        0,
        "Order confirmations sent by e-mail in Lyon, through the portal in Basel",
        "The client's buyer looks in two places for the delivery promise",
        2,
        4,
        1,
        6,
        8,
    ),  # S4 O6 D8: M
)


def build_fmea(clients: list[Client]) -> None:
    """The demo FMEA (once: nothing is added when it has rows)."""
    if FmeaItem.objects.exists():
        return
    sites = {s.code: s for s in Site.objects.filter(code__in=["LYO", "CRK", "BSL"])}
    if len(sites) < 3:
        return
    today = timezone.localdate()
    items = []
    for area, at, client_index, difference, failure, *ratings in ROWS:
        site, client_s, patient, o, d = ratings
        items.append(
            fmea.create_item(
                user=SYSTEM,
                client=clients[client_index] if client_index is not None else None,
                process_area=ProcessArea.objects.get(code=area),
                sites=[sites[code] for code in at],
                difference=difference,
                failure_mode=failure,
                ratings={
                    "severity_site": site,
                    "severity_client": client_s,
                    "severity_patient": patient,
                    "occurrence": o,
                    "detection": d,
                },
                reason="Harmonisation workshop: first assessment across the three sites",
            )
        )
    release, batch_records, shipping, planning, *_ = items
    # Harmonised: one certificate template, completed, verified by the CMO admin, re-rated.
    done = fmea.add_action(
        user=SYSTEM,
        item=release,
        description="One certificate of analysis template and one release notice for all sites",
        owner="Head of QA, Lyon",
        due_date=today - dt.timedelta(days=60),
    )
    fmea.complete_action(
        user=SYSTEM,
        action=done,
        note="Template live at the three sites",
        on=today - dt.timedelta(days=45),
    )
    admin = get_user_model().objects.filter(username="cmo-admin").first() or SYSTEM
    if admin is not SYSTEM:
        fmea.verify_action(
            user=admin,
            action=done,
            note="Checked the documents of 20 batches released since: no query from the client",
            on=today - dt.timedelta(days=20),
        )
        fmea.revise_item(
            user=admin,
            item=release,
            action=done,
            ratings={
                "severity_site": 6,
                "severity_client": 8,
                "severity_patient": 7,
                "occurrence": 2,
                "detection": 4,
            },
            reason="Verified: documents no longer queried; the client still finds the rare error",
        )  # S8 O2 D4: L
    # Open: one overdue, one on time.
    fmea.add_action(
        user=SYSTEM,
        item=batch_records,
        description="Electronic batch record in Lyon on Cork's template",
        owner="Site director, Lyon",
        due_date=today - dt.timedelta(days=10),
    )
    fmea.add_action(
        user=SYSTEM,
        item=shipping,
        description="One shipping document checklist for every site",
        owner="Logistics manager, Basel",
        due_date=today + dt.timedelta(days=45),
    )
    fmea.add_action(
        user=SYSTEM,
        item=planning,
        description="Agree one frozen horizon with the client's supply planner",
        owner="Supply chain head",
        due_date=today + dt.timedelta(days=20),
    )


def build_process_maps() -> None:
    """The default process map of every site without one."""
    for site in Site.objects.order_by("code"):
        seed_default_map(user=SYSTEM, site=site)
