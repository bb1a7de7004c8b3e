"""A realistic, deterministic demo data set for a contract manufacturer (CMO).

`generate()` returns master data (sites, clients, products), the flat order-line file in the
import field names (one row per delivery; one row with empty delivery fields for a line with
nothing delivered), root causes for most failed lines, the batches, deviations, CAPAs and weekly
plan behind the lines (tower.demo.production) and what the quarterly reviews add: stock-outs,
surveys, agreement terms, commentary and actions (tower.demo.review). It is pure: no Django, no
clock, no files; the same seed gives the same frames.

The performance story behind the numbers, so that a demo has something to find:
- the CMO improves over the two years (failure rates fall by about a third);
- the sterile site in Cork has a bad quarter (deviations and late QC release) and fails mostly on
  quality anyway (sterility testing, batch release);
- the Lyon oral-solids site loses capacity every August (summer shutdown);
- DELTA (generics, the largest client) gets worse over time as its volumes outgrow capacity;
- FJORD causes many client-attributable failures: late artwork and late client-supplied API;
- December brings transport trouble and the odd force majeure.

Failures a batch causes (late materials, no capacity, a breakdown, a deviation) hit every line
planned to ship from that batch, so they are gathered onto whole product campaigns; each line is
planned to ship early enough for the slowest transit of its mode, and leaves on that date unless
something went wrong before it left.

Everything is vectorised (numpy arrays and Polars expressions); the only Python loops run over
master data (clients, products) and the 21 root-cause codes. The tables themselves (master data,
failure rates, comment texts) live in `tower.demo.catalogue`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from tower.demo import days as cal
from tower.demo.catalogue import (
    BASE_RATES,
    BATCH_CAUSES,
    BIO,
    CLIENT_EXTRA,
    CLIENTS,
    CMO_AREAS,
    COMMENTS,
    DELAY_BY_AREA,
    GROUPS,
    IN_TRANSIT_CAUSES,
    KIND_BY_AREA,
    KIND_BY_CODE,
    LIQUID,
    MAIN_SITE,
    MODES,
    ORAL,
    OVERSEAS,
    PRICE_RANGE,
    QTY_MEDIAN,
    QTY_STEP,
    RATE_SITES,
    SITES,
    STERILE,
    TRANSIT_DAYS,
)
from tower.demo.production import make_production
from tower.demo.review import Review, make_review
from tower.engine.root_causes import AREA_BY_CODE, ROOT_CAUSES

ROW_SCHEMA: dict[str, pl.DataType] = {
    "client": pl.String(),
    "order": pl.String(),
    "line": pl.String(),
    "product": pl.String(),
    "product_group": pl.String(),
    "site": pl.String(),
    "ship_to": pl.String(),
    "transport_mode": pl.String(),
    "ordered_qty": pl.Float64(),
    "unit": pl.String(),
    "line_value": pl.Float64(),
    "currency": pl.String(),
    "requested_date": pl.Date(),
    "first_committed_date": pl.Date(),
    "committed_date": pl.Date(),
    "planned_ship_date": pl.Date(),
    "status": pl.String(),
    "shipped_date": pl.Date(),
    "delivered_date": pl.Date(),
    "delivered_qty": pl.Float64(),
    "delivery_id": pl.String(),
    "batch": pl.String(),
}
SITE_SCHEMA = {"code": pl.String(), "name": pl.String(), "country": pl.String()}
CLIENT_SCHEMA = {"code": pl.String(), "name": pl.String()}
PRODUCT_SCHEMA = {
    "client": pl.String(),
    "code": pl.String(),
    "name": pl.String(),
    "product_group": pl.String(),
    "site": pl.String(),
}
ROOT_CAUSE_SCHEMA = {
    "client": pl.String(),
    "order": pl.String(),
    "line": pl.String(),
    "code": pl.String(),
    "status": pl.String(),
    "comment": pl.String(),
}
LINE_KEY = ["client", "order", "line"]


@dataclass
class DemoData:
    sites: pl.DataFrame
    clients: pl.DataFrame
    products: pl.DataFrame
    rows: pl.DataFrame
    root_causes: pl.DataFrame
    # In the import field names of tower.demo.production.
    batches: pl.DataFrame
    deviations: pl.DataFrame
    capas: pl.DataFrame
    plan: pl.DataFrame
    stock_outs: pl.DataFrame  # in the field names of tower.demo.review
    review: Review  # survey, agreement terms, targets, commentary and actions


# The root-cause codes in the order of tower.engine.root_causes, and the area of each.
CODES = tuple(rc.code for rc in ROOT_CAUSES)
AREAS = np.array([AREA_BY_CODE[c] for c in CODES])
# Per cause index (the last one: no cause), whether a batch is behind it.
IS_BATCH_CAUSE = np.array([c in BATCH_CAUSES for c in CODES] + [False])
IS_IN_TRANSIT = np.array([c in IN_TRANSIT_CAUSES for c in CODES])


# --- generation -----------------------------------------------------------------------------------


def generate(
    *,
    seed: int = 7,
    lines: int = 50_000,
    end: dt.date = dt.date(2026, 11, 21),
    months: int = 24,
) -> DemoData:
    """Build the demo data set: exactly `lines` order lines due over `months` months up to `end`
    (plus about six weeks of open orders after it). Nothing is delivered after `end`."""
    if lines < 1:
        raise ValueError("lines must be at least 1")
    if months < 1:
        raise ValueError("months must be at least 1")
    rng = np.random.default_rng(seed)
    master = _Master()
    end_day = cal.day(end)
    start_day = cal.day(cal.months_before(end, months)) + 1

    lf = _lines(rng, master, lines, start_day, end_day)
    deliveries = _deliveries(rng, master, lf, end_day)
    rows = _rows(master, lf, deliveries)
    judged = _judge(rows, ["_line"], end)
    root_causes = _root_causes(rng, lf, judged, end)
    made = make_production(rows, master.products, end=end, seed=seed)
    review = make_review(rows=rows, judged=judged, root_causes=root_causes, end=end, seed=seed)
    return DemoData(
        sites=master.sites,
        clients=master.clients,
        products=master.products,
        rows=rows.with_columns(batch=made.batch_of_row).select(list(ROW_SCHEMA)),
        root_causes=root_causes,
        batches=made.batches,
        deviations=made.deviations,
        capas=made.capas,
        plan=made.plan,
        stock_outs=review.stock_outs,
        review=review,
    )


class _Master:
    """Master data as frames, plus the per-product arrays the generator indexes into."""

    def __init__(self) -> None:
        self.sites = pl.DataFrame([list(s) for s in SITES], schema=SITE_SCHEMA, orient="row")
        self.clients = pl.DataFrame(
            [[c.code, c.name] for c in CLIENTS], schema=CLIENT_SCHEMA, orient="row"
        )
        site_codes = [s[0] for s in SITES]
        records = []
        prod_client, prod_group, prod_site, prod_unit, price, scale = [], [], [], [], [], []
        self.first_product, self.n_products = [], []
        for ci, c in enumerate(CLIENTS):
            self.first_product.append(len(records))
            self.n_products.append(len(c.products))
            for i, (group, name, site) in enumerate(c.products):
                site = site or MAIN_SITE[group]
                code = f"{c.code[:3]}-{10001 + i}"
                records.append([c.code, code, name, group, site])
                k = len(records)
                prod_client.append(ci)
                prod_group.append(GROUPS.index(group))
                prod_site.append(site_codes.index(site))
                prod_unit.append("vials" if "vial" in name else "packs")
                lo, hi = PRICE_RANGE[group]
                price.append(round(lo + (hi - lo) * ((k * 37) % 100) / 100, 2))
                scale.append(0.6 + ((k * 53) % 100) / 100)
        self.products = pl.DataFrame(records, schema=PRODUCT_SCHEMA, orient="row")
        self.first_product = np.array(self.first_product)
        self.n_products = np.array(self.n_products)
        self.prod_group = np.array(prod_group)
        self.prod_site = np.array(prod_site)
        self.prod_unit = np.array([u == "vials" for u in prod_unit])
        self.prod_price = np.array(price)
        self.prod_median = np.array(
            [
                QTY_MEDIAN[(GROUPS[g], u)] * s
                for g, u, s in zip(prod_group, prod_unit, scale, strict=True)
            ]
        )
        self.prod_step = np.array([QTY_STEP[GROUPS[g]] for g in prod_group])
        self.site_codes = site_codes
        ship_to = [s for c in CLIENTS for s in c.ship_to]
        self.ship_to = ship_to
        self.ship_to_overseas = np.array([s[:2] in OVERSEAS for s in ship_to])
        self.first_ship_to = np.cumsum([0] + [len(c.ship_to) for c in CLIENTS])[:-1]
        self.n_ship_to = np.array([len(c.ship_to) for c in CLIENTS])


def _lines(rng, master: _Master, n: int, start_day: int, end_day: int) -> dict:
    """Orders and their lines: who, what, where, how much and when it is due."""
    # Orders of 1-6 lines; the last order is cut so that the total is exactly n.
    sizes_p = np.array([0.34, 0.24, 0.17, 0.12, 0.08, 0.05])
    sizes = np.empty(0, dtype=np.int64)
    while sizes.sum() < n:
        more = rng.choice(np.arange(1, 7), size=int(n / 2.51 * 1.05) + 8, p=sizes_p)
        sizes = np.concatenate([sizes, more])
    cum = np.cumsum(sizes)
    last = int(np.searchsorted(cum, n))
    sizes = sizes[: last + 1]
    sizes[-1] -= cum[last] - n
    n_orders = len(sizes)

    # Due dates: weekdays, seasonal (quiet August and Christmas), growing about 8 % a year, up to
    # six weeks past the end date (open orders).
    days = np.arange(start_day, end_day + 43)
    dates = days.astype("datetime64[D]")
    month = dates.astype("datetime64[M]").astype(int) % 12  # 0 = January
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    season = np.array([1.0, 1.0, 1.05, 1.0, 1.0, 1.0, 0.95, 0.75, 1.05, 1.05, 1.05, 0.9])[month]
    season = np.where((month == 11) & (day_of_month >= 23), 0.15, season)
    weight = season * (cal.weekday(days) < 5) * (1 + 0.08 * (days - start_day) / 365)
    due_order = rng.choice(days, size=n_orders, p=weight / weight.sum())

    volume = np.array([c.volume for c in CLIENTS])
    client_order = rng.choice(len(CLIENTS), size=n_orders, p=volume / volume.sum())
    # Order numbers rise with the due date within each client.
    perm = np.lexsort((due_order, client_order))
    sizes, due_order, client_order = sizes[perm], due_order[perm], client_order[perm]
    first_of_client = np.searchsorted(client_order, np.arange(len(CLIENTS)))
    order_rank = np.arange(n_orders) - first_of_client[client_order]
    ship_local = (rng.random(n_orders) ** 1.5 * master.n_ship_to[client_order]).astype(np.int64)
    ship_to = master.first_ship_to[client_order] + ship_local
    product_start = (rng.random(n_orders) ** 1.4 * master.n_products[client_order]).astype(np.int64)
    order_renegotiated = rng.random(n_orders) < 0.08

    order_of_line = np.repeat(np.arange(n_orders), sizes)
    order_first_line = np.cumsum(sizes) - sizes
    pos = np.arange(n) - order_first_line[order_of_line]
    client = client_order[order_of_line]
    n_prod = master.n_products[client]
    product = master.first_product[client] + (product_start[order_of_line] + pos) % n_prod
    group = master.prod_group[product]
    site = master.prod_site[product].copy()
    # Some oral-solid packs of the Lyon site are packed in Basel when Lyon is full.
    lyo, bsl = master.site_codes.index("LYO"), master.site_codes.index("BSL")
    site[(site == lyo) & (group == GROUPS.index(ORAL)) & (rng.random(n) < 0.03)] = bsl

    ship = ship_to[order_of_line]
    overseas = master.ship_to_overseas[ship]
    u = rng.random(n)
    solid = group <= GROUPS.index(LIQUID)
    bio = group == GROUPS.index(BIO)
    mode = np.where(
        overseas,
        np.where(solid, np.where(u < 0.65, 3, 2), np.where(u < 0.9, 2, 1)),
        np.where(u < np.where(solid, 0.97, np.where(bio, 0.6, 0.85)), 0, 1),
    )

    # Dates: the committed date is the due date. Some lines are staggered within their order;
    # some were renegotiated (usually pushed out) from the first committed date; the client
    # sometimes asked for an earlier date than the CMO could commit to.
    committed = due_order[order_of_line].copy()
    stagger = rng.random(n) < 0.2
    committed[stagger] += rng.integers(1, 15, size=int(stagger.sum()))
    committed = cal.snap(committed, forward=True)
    renegotiated = order_renegotiated[order_of_line] | (rng.random(n) < 0.03)
    shift = rng.integers(3, 29, size=n) * np.where(rng.random(n) < 0.85, 1, -1)
    first_committed = cal.snap(np.where(renegotiated, committed - shift, committed), forward=False)
    asked_earlier = rng.random(n) < 0.3
    requested = cal.snap(
        first_committed - np.where(asked_earlier, rng.integers(1, 22, size=n), 0), forward=False
    )

    # The CMO plans to ship early enough for the slowest transit of the mode.
    slowest = np.array([TRANSIT_DAYS[m][1] for m in MODES])[mode]
    planned_ship = cal.snap(committed - slowest, forward=False)

    # Quantity and value (prices rise 3 % a year).
    median = master.prod_median[product]
    step = master.prod_step[product]
    qty = np.maximum(np.round(median * rng.lognormal(0.0, 0.6, size=n) / step) * step, 5 * step)
    price = master.prod_price[product] * 1.03 ** ((committed - start_day) // 365)

    future = committed > end_day
    cancelled = (rng.random(n) < 0.02) & ~future
    past = np.flatnonzero(~cancelled & ~future)
    n_zero = min(len(past), max(2, n // 5000))
    zero = np.zeros(n, dtype=bool)
    zero[rng.choice(past, size=n_zero, replace=False)] = True
    qty[zero] = 0.0
    value = np.round(qty * price, 2)

    cause = _causes(rng, client, site, committed, start_day, end_day)
    cause[cancelled | zero] = len(CODES)
    cause = _gather_batch_causes(
        rng, cause, ~cancelled & ~zero, client, site, product, committed, planned_ship
    )
    return {
        "n": n,
        "n_orders": n_orders,
        "client_order": client_order,
        "order_rank": order_rank,
        "order_of_line": order_of_line,
        "pos": pos,
        "client": client,
        "product": product,
        "group": group,
        "site": site,
        "ship_to": ship,
        "mode": mode,
        "qty": qty,
        "value": value,
        "requested": requested,
        "first_committed": first_committed,
        "committed": committed,
        "planned_ship": planned_ship,
        "future": future,
        "cancelled": cancelled,
        "zero": zero,
        "cause": cause,
    }


def _causes(rng, client, site, due, start_day: int, end_day: int) -> np.ndarray:
    """The root cause that will make each line fail, or len(CODES) for a line that goes well.

    Rates are built per (site, client, month) and sampled in one pass over all lines.
    """
    n_sites, n_clients, n_codes = len(SITES), len(CLIENTS), len(CODES)
    first_month = cal.month(np.array([start_day]))[0]
    month_idx = cal.month(due) - first_month
    n_months = int(month_idx.max()) + 1
    t = np.arange(n_months) / max(cal.month(np.array([end_day]))[0] - first_month, 1)
    calendar_month = (first_month + np.arange(n_months)) % 12  # 0 = January

    rates = np.zeros((n_sites, n_clients, n_months, n_codes))
    base = np.array([BASE_RATES[c] for c in CODES]).T[[RATE_SITES.index(s[0]) for s in SITES]] / 100
    rates += base[:, None, None, :]
    is_cmo = np.isin(AREAS, CMO_AREAS)
    is_client = AREAS == "client"
    code = {c: i for i, c in enumerate(CODES)}

    # The CMO improves over the period; some clients get worse (capacity squeezed by volume).
    cmo_factor = np.array([c.cmo_factor for c in CLIENTS])[:, None] * (
        1 + np.array([c.worsening for c in CLIENTS])[:, None] * t[None, :]
    )
    cmo_factor = cmo_factor * (1.35 - 0.6 * t)[None, :]
    rates[:, :, :, is_cmo] *= cmo_factor[None, :, :, None]
    rates[:, :, :, is_client] *= np.array([c.client_factor for c in CLIENTS])[None, :, None, None]
    for ci, c in enumerate(CLIENTS):
        for name, extra in CLIENT_EXTRA.get(c.code, {}).items():
            rates[:, ci, :, code[name]] += extra / 100

    # The sterile site's bad quarter: the calendar quarter ten months before the end.
    crk = [s[0] for s in SITES].index("CRK")
    end_month = cal.month(np.array([end_day]))[0]
    bad_start = (end_month - 10) - (end_month - 10) % 3 - first_month
    bad = (np.arange(n_months) >= bad_start) & (np.arange(n_months) < bad_start + 3)
    for name, factor in (
        ("QC-DEVIATION", 6.0),
        ("QC-RELEASE-LATE", 4.0),
        ("QC-TESTING-DELAY", 1.5),
        ("MFG-PROCESS", 2.0),
    ):
        rates[crk, :, bad, code[name]] *= factor
    # Summer shutdown in Lyon; December transport trouble everywhere.
    lyo = [s[0] for s in SITES].index("LYO")
    rates[lyo, :, calendar_month == 7, code["PLN-CAPACITY"]] *= 2.5
    rates[:, :, calendar_month == 11, code["SHP-TRANSPORT"]] *= 2.0
    rates[:, :, calendar_month == 11, code["EXT-FORCE-MAJEURE"]] *= 3.0

    cum = np.cumsum(rates.reshape(-1, n_codes), axis=1)
    combo = (site * n_clients + client) * n_months + month_idx
    u = rng.random(len(due))
    cause = np.zeros(len(due), dtype=np.int64)
    for k in range(n_codes):  # one pass per code keeps memory at a few arrays of n
        cause += u >= cum[combo, k]
    return cause


def _gather_batch_causes(
    rng, cause, eligible, client, site, product, due, planned_ship
) -> np.ndarray:
    """Move the failures a batch causes onto the lines of a few batches.

    A late batch fails every line planned to ship from it, not one line here and there. Rates are
    per (site, client, month), so the causes sampled for such a cell can be shuffled among its
    lines without changing any figure the story relies on. The batch causes (materials,
    planning, manufacturing, quality, the client's late API) go to whole product campaigns
    picked at random, all lines of one campaign sharing the cause drawn for its first line (so
    each code keeps its expected count); the other causes (none, shipping, client, external)
    are shuffled over the remaining lines.
    """
    idx = np.flatnonzero(eligible)
    if len(idx) == 0:
        return cause
    month = cal.month(due[idx])
    cell = (site[idx] * len(CLIENTS) + client[idx]) * 1_000 + month - month.min()
    _, group = np.unique(
        product[idx] * 1_000_000 + cal.campaign(planned_ship[idx]), return_inverse=True
    )
    priority = rng.random(group.max() + 1)[group]
    by_batch = IS_BATCH_CAUSE[cause[idx]]
    # Slots: the cell's lines, campaign by campaign in random order. Values: its causes, the
    # batch causes first. Both are sorted by cell, so the i-th value goes to the i-th slot.
    slots = np.lexsort((rng.random(len(idx)), priority, cell))
    values = cause[idx][np.lexsort((rng.random(len(idx)), ~by_batch, cell))]
    cell_of = np.unique(cell, return_inverse=True)[1]
    n_batch = np.bincount(cell_of, weights=by_batch)
    cell_s, group_s = cell_of[slots], group[slots]
    position = np.arange(len(idx)) - np.searchsorted(cell_s, cell_s)
    starts = np.r_[True, (group_s[1:] != group_s[:-1]) | (cell_s[1:] != cell_s[:-1])]
    group_first = np.maximum.accumulate(np.where(starts, np.arange(len(idx)), 0))
    in_batch = position < n_batch[cell_s]
    out = cause.copy()
    out[idx[slots]] = np.where(in_batch, values[group_first], values)
    return out


def _deliveries(rng, master: _Master, lf: dict, end_day: int) -> dict:
    """Up to three deliveries per line, then everything after `end` removed."""
    n = lf["n"]
    cause = lf["cause"]
    due = lf["committed"]
    fails = cause < len(CODES)
    code_idx = np.minimum(cause, len(CODES) - 1)

    kind_table = np.array(
        [KIND_BY_CODE.get(c, KIND_BY_AREA.get(AREA_BY_CODE[c], (1, 0, 0))) for c in CODES]
    )
    kind = (rng.random(n)[:, None] >= np.cumsum(kind_table, axis=1)[code_idx][:, :2]).sum(axis=1)
    late = fails & (kind != 1)
    short = fails & (kind != 0)

    # How much arrives in total.
    frac = np.ones(n)
    frac = np.where(short & late, rng.uniform(0.85, 0.98, size=n), frac)
    frac = np.where(short & ~late, rng.uniform(0.90, 0.99, size=n), frac)
    over = ~fails & (rng.random(n) < 0.006)
    frac = np.where(over, rng.uniform(1.01, 1.05, size=n), frac)
    total = np.round(lf["qty"] * frac)

    # When the last delivery arrives: early or on the due date for a good line, late by a
    # delay class that depends on the area of the cause for a late one.
    u = rng.random(n)
    early = np.select(
        [u < p for p in (0.45, 0.78, 0.95)],
        [np.zeros(n, dtype=np.int64), rng.integers(1, 3, n), rng.integers(3, 8, n)],
        rng.integers(8, 15, n),
    )
    delay_table = np.array([DELAY_BY_AREA[AREA_BY_CODE[c]] for c in CODES])
    delay_class = (rng.random(n)[:, None] >= np.cumsum(delay_table, axis=1)[code_idx][:, :3]).sum(
        axis=1
    )
    long_delay = np.minimum(14 + rng.geometric(1 / 12, size=n), 75)
    delay = np.choose(
        delay_class,
        [rng.integers(1, 3, n), rng.integers(3, 8, n), rng.integers(8, 15, n), long_delay],
    )
    last_date = due + np.where(late, delay, -early)

    # Split deliveries: a good line now and then, a late line often (part on time, the rest late).
    p_split = np.where(late, 0.30, np.where(short, 0.25, 0.08))
    split = rng.random(n) < p_split
    n_del = 1 + split + (split & (rng.random(n) < 0.25))
    n_del[lf["cancelled"] | lf["zero"]] = 0

    dates = np.zeros((n, 3), dtype=np.int64)
    qtys = np.zeros((n, 3))
    gap1, gap2 = rng.integers(3, 15, n), rng.integers(3, 15, n)
    on_time_part = due - rng.integers(0, 6, n)
    before_last = np.where(late, np.minimum(last_date - gap1, on_time_part), last_date - gap1)
    before_that = np.minimum(before_last, on_time_part) - gap2
    f1_two = rng.uniform(0.35, 0.8, n)
    f1_three = rng.uniform(0.25, 0.5, n)
    f2_three = (1 - f1_three) * rng.uniform(0.3, 0.7, n)
    two, three = n_del == 2, n_del == 3
    dates[:, 0] = np.select([two, three], [before_last, before_that], last_date)
    dates[:, 1] = np.where(two, last_date, before_last)
    dates[:, 2] = last_date
    qtys[:, 0] = np.select(
        [two, three], [np.round(total * f1_two), np.round(total * f1_three)], total
    )
    qtys[:, 1] = np.where(two, total - qtys[:, 0], np.round(total * f2_three))
    qtys[:, 2] = total - qtys[:, 0] - qtys[:, 1]
    dates = np.where(
        dates <= due[:, None], cal.snap(dates, forward=False), cal.snap(dates, forward=True)
    )

    seq = np.arange(3)[None, :]
    planned = seq < n_del[:, None]
    is_last = seq == (n_del - 1)[:, None]
    # Nothing arrives after the end date, and a line due after it is not complete yet.
    keep = planned & (dates <= end_day) & ~(is_last & lf["future"][:, None])
    line_idx = np.broadcast_to(np.arange(n)[:, None], (n, 3))[keep]
    delivered = dates[keep]
    mode = lf["mode"][line_idx]
    lo = np.array([TRANSIT_DAYS[m][0] for m in MODES])[mode]
    hi = np.array([TRANSIT_DAYS[m][1] for m in MODES])[mode]
    departure = delivered - rng.integers(lo, hi + 1)
    # What arrived on time left on or before the planned ship date, and so did what was held on
    # its way (customs, a closed road); what arrived late for any other reason left late.
    in_transit = late & IS_IN_TRANSIT[code_idx]
    on_plan = (delivered <= due[line_idx]) | in_transit[line_idx]
    planned_ship = lf["planned_ship"][line_idx]
    shipped = np.where(on_plan, np.minimum(departure, planned_ship), departure)
    return {
        "late": late,
        "line": line_idx,
        "seq": np.broadcast_to(seq, (n, 3))[keep],
        "delivered": delivered,
        "shipped": shipped,
        "qty": qtys[keep],
        "complete": keep.sum(axis=1) == n_del,
    }


def _rows(master: _Master, lf: dict, dl: dict) -> pl.DataFrame:
    """The flat import file: line fields repeated on every delivery row."""
    clients = pl.Series([c.code for c in CLIENTS])
    orders = pl.DataFrame(
        {
            "_client": lf["client_order"],
            "_number": lf["order_rank"]
            + np.array([c.order_start for c in CLIENTS])[lf["client_order"]]
            + 1,
            "_width": np.array([c.order_width for c in CLIENTS])[lf["client_order"]],
        }
    ).select(
        order=pl.concat_str(
            pl.col("_client").replace_strict(
                list(range(len(CLIENTS))), [c.order_prefix for c in CLIENTS]
            ),
            pl.col("_number").cast(pl.String).str.zfill(pl.col("_width")),
        )
    )
    status = np.where(
        lf["cancelled"],
        "cancelled",
        np.where(dl["complete"] & ~lf["future"], "closed", "open"),
    )
    line_step = np.array([c.line_step for c in CLIENTS])[lf["client"]]
    products = master.products
    lines = pl.DataFrame(
        {
            "_line": np.arange(lf["n"]),
            "client": clients.gather(lf["client"]),
            "order": orders["order"].gather(lf["order_of_line"]),
            "line": pl.Series((lf["pos"] + 1) * line_step).cast(pl.String),
            "product": products["code"].gather(lf["product"]),
            "product_group": products["product_group"].gather(lf["product"]),
            "site": pl.Series(master.site_codes).gather(lf["site"]),
            "ship_to": pl.Series(master.ship_to).gather(lf["ship_to"]),
            "transport_mode": pl.Series(MODES).gather(lf["mode"]),
            "ordered_qty": lf["qty"].astype(np.float64),
            "unit": pl.Series(["packs", "vials"]).gather(
                master.prod_unit[lf["product"]].astype(np.int64)
            ),
            "line_value": lf["value"].astype(np.float64),
            "currency": pl.Series([c.currency for c in CLIENTS]).gather(lf["client"]),
            "requested_date": cal.dates(lf["requested"]),
            "first_committed_date": cal.dates(lf["first_committed"]),
            "committed_date": cal.dates(lf["committed"]),
            "planned_ship_date": cal.dates(lf["planned_ship"]),
            "status": pl.Series(status.astype(str)),
            # What really happened, for the production records; generate() drops them.
            "_cause": pl.Series(CODES + (None,)).gather(lf["cause"]),
            "_late": dl["late"],
        }
    )
    # One row per delivery, in line order; one row with empty delivery fields for a line with
    # nothing delivered. Deliveries are already in line and sequence order.
    per_line = np.bincount(dl["line"], minlength=lf["n"])
    row_line = np.repeat(np.arange(lf["n"]), np.maximum(per_line, 1))
    has_delivery = per_line[row_line] > 0
    row_delivery = pl.Series(np.where(has_delivery, np.cumsum(has_delivery) - 1, -1))
    row_delivery = pl.select(pl.when(row_delivery >= 0).then(row_delivery)).to_series()
    # Delivery numbers are handed out in shipping order.
    shipping_order = np.lexsort((dl["seq"], dl["line"], dl["shipped"]))
    number = np.empty(len(shipping_order), dtype=np.int64)
    number[shipping_order] = np.arange(len(shipping_order)) + 80_000_001
    deliveries = pl.DataFrame(
        {
            "_seq": dl["seq"],
            "shipped_date": cal.dates(dl["shipped"]),
            "delivered_date": cal.dates(dl["delivered"]),
            "delivered_qty": dl["qty"].astype(np.float64),
            "delivery_id": pl.Series(number).cast(pl.String),
            "batch": pl.Series([None] * len(number), dtype=pl.String),  # see tower.demo.production
        }
    )
    # Keeps the internal line index, delivery sequence and truth; generate() drops them.
    return pl.concat(
        [lines[row_line], deliveries.select(pl.all().gather(row_delivery))],
        how="horizontal",
    ).cast(ROW_SCHEMA)


def _root_causes(rng, lf: dict, judged: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    """Root causes for about 70 % of the failed lines: the cause that made the line fail,
    proposed by a planner; most approved, the recent ones often still proposed, and the client
    disputes some, especially when the blame is put on the client."""
    failed = judged.filter(pl.col("measured") & ~pl.col("otif"))
    idx = failed["_line"].to_numpy()
    cause = lf["cause"][idx]
    if (cause >= len(CODES)).any():  # cannot happen: a good line is never late or short
        raise AssertionError("a failed demo line has no cause")
    m = len(idx)
    recent = lf["committed"][idx] > cal.day(end) - 45
    classified = rng.random(m) < np.where(recent, 0.35, 0.73)
    blames_client = AREAS[cause] == "client"
    u = rng.random(m)
    p_disputed = np.where(blames_client, 0.15, 0.04)
    p_proposed = np.where(recent, 0.65, 0.08)
    status = np.where(
        u < p_disputed, "disputed", np.where(u < p_disputed + p_proposed, "proposed", "approved")
    )
    days_late = failed["days_late"].fill_null(0).to_numpy()
    # General text, the one with days late (only for a late line), or one for the dosage form.
    pick = rng.integers(0, 3, m)
    sterile = lf["group"][idx] >= GROUPS.index(STERILE)
    template = np.where(pick == 2, 2 + sterile, np.where((pick == 1) & (days_late <= 0), 0, pick))
    comments = pl.Series([t for c in CODES for t in COMMENTS[c]])
    keep = classified
    return (
        failed.select(LINE_KEY)
        .filter(keep)
        .with_columns(
            code=pl.Series(CODES).gather(cause[keep]),
            status=pl.Series(status[keep].astype(str)),
            comment=comments.gather(cause[keep] * 4 + template[keep])
            .str.replace("{d}", pl.Series(days_late[keep]).cast(pl.String), literal=True)
            .str.replace(r"\b1 days", "1 day"),
        )
        .cast(ROOT_CAUSE_SCHEMA)
    )


def judge_lines(rows: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The demo's own, simple reading of the default OTIF definition, one row per line in file
    order: due = committed date, on time = completed on or before due, in full = delivered >=
    ordered; cancelled and zero-quantity lines and lines not yet due and incomplete are not
    measured. Kind: ok, late, short, late_and_short, not_delivered. Not the engine."""
    return _judge(rows, LINE_KEY, as_of)


def _judge(rows: pl.DataFrame, key: list[str], as_of: dt.date) -> pl.DataFrame:
    delivered = (
        rows.filter(pl.col("delivered_date") <= as_of)
        .sort(*key, "delivered_date")
        .with_columns(_cum=pl.col("delivered_qty").cum_sum().over(key))
        .group_by(key)
        .agg(
            q_total=pl.col("delivered_qty").sum(),
            last=pl.col("delivered_date").max(),
            completion=pl.col("delivered_date")
            .filter(pl.col("_cum") >= pl.col("ordered_qty"))
            .min(),
        )
    )
    lines = rows.unique(key, keep="first", maintain_order=True).select(
        *dict.fromkeys([*key, *LINE_KEY]),
        "site",
        "product",
        "committed_date",
        "ordered_qty",
        "status",
    )
    judged = lines.join(delivered, on=key, how="left", maintain_order="left").with_columns(
        q_total=pl.col("q_total").fill_null(0.0)
    )
    excluded = (pl.col("status") == "cancelled") | (pl.col("ordered_qty") == 0)
    decisive = pl.coalesce("completion", "last")
    on_time = pl.col("last").is_not_null() & (decisive <= pl.col("committed_date"))
    in_full = pl.col("q_total") >= pl.col("ordered_qty")
    measured = ~excluded & (pl.col("completion").is_not_null() | (pl.col("committed_date") < as_of))
    return judged.with_columns(
        measured=measured,
        on_time=on_time,
        in_full=in_full,
        otif=on_time & in_full,
        days_late=(decisive - pl.col("committed_date")).dt.total_days(),
    ).with_columns(
        kind=pl.when(~pl.col("measured"))
        .then(None)
        .when(pl.col("otif"))
        .then(pl.lit("ok"))
        .when(pl.col("last").is_null())
        .then(pl.lit("not_delivered"))
        .when(~pl.col("on_time") & ~pl.col("in_full"))
        .then(pl.lit("late_and_short"))
        .when(~pl.col("on_time"))
        .then(pl.lit("late"))
        .otherwise(pl.lit("short"))
    )
