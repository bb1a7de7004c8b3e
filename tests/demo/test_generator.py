"""The demo data generator: deterministic, complete, realistic, and never delivering the future."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.demo.conftest import END, LINES
from tower.demo.generator import (
    CLIENT_SCHEMA,
    PRODUCT_SCHEMA,
    ROOT_CAUSE_SCHEMA,
    ROW_SCHEMA,
    SITE_SCHEMA,
    generate,
)
from tower.engine.root_causes import AREA_BY_CODE

KEY = ["client", "order", "line"]


@pytest.fixture(scope="module")
def per_line(demo):
    return demo.rows.group_by(KEY).agg(
        deliveries=pl.col("delivery_id").count(),
        delivered=pl.col("delivered_qty").sum(),
        ordered=pl.col("ordered_qty").first(),
        status=pl.col("status").first(),
        committed=pl.col("committed_date").first(),
    )


def _frames(data):
    review = data.review
    return (
        *(data.sites, data.clients, data.products, data.rows, data.root_causes),
        *(data.batches, data.deviations, data.capas, data.plan, data.stock_outs),
        *(review.surveys, review.agreements, review.penalties, review.targets),
        *(review.comments, review.actions),
    )


def test_same_seed_gives_equal_frames(demo):
    again = generate(seed=7, lines=LINES, end=END)
    for first, second in zip(_frames(demo), _frames(again), strict=True):
        assert first.equals(second)


def test_another_seed_gives_other_rows(demo):
    other = generate(seed=8, lines=LINES, end=END)
    assert not other.rows.equals(demo.rows)
    assert not other.batches.equals(demo.batches)
    assert not other.stock_outs.equals(demo.stock_outs)
    assert other.products.equals(demo.products)  # master data does not depend on the seed


def test_columns_and_dtypes_are_the_contract(demo):
    text, date, number = pl.String, pl.Date, pl.Float64
    assert demo.sites.schema == pl.Schema({"code": text, "name": text, "country": text})
    assert demo.clients.schema == pl.Schema({"code": text, "name": text})
    assert demo.products.schema == pl.Schema(
        {"client": text, "code": text, "name": text, "product_group": text, "site": text}
    )
    assert demo.rows.schema == pl.Schema(
        {
            "client": text,
            "order": text,
            "line": text,
            "product": text,
            "product_group": text,
            "site": text,
            "ship_to": text,
            "transport_mode": text,
            "ordered_qty": number,
            "unit": text,
            "line_value": number,
            "currency": text,
            "requested_date": date,
            "first_committed_date": date,
            "committed_date": date,
            "planned_ship_date": date,
            "status": text,
            "shipped_date": date,
            "delivered_date": date,
            "delivered_qty": number,
            "delivery_id": text,
            "batch": text,
        }
    )
    assert demo.root_causes.schema == pl.Schema(
        {
            "client": text,
            "order": text,
            "line": text,
            "code": text,
            "status": text,
            "comment": text,
        }
    )
    # The module's published schemas say the same.
    assert demo.rows.schema == pl.Schema(ROW_SCHEMA)
    assert demo.root_causes.schema == pl.Schema(ROOT_CAUSE_SCHEMA)
    assert demo.sites.schema == pl.Schema(SITE_SCHEMA)
    assert demo.clients.schema == pl.Schema(CLIENT_SCHEMA)
    assert demo.products.schema == pl.Schema(PRODUCT_SCHEMA)


def test_three_sites_eight_clients_and_four_to_twelve_products_each(demo):
    assert demo.sites.height == 3 and demo.sites["code"].n_unique() == 3
    assert demo.clients.height == 8 and demo.clients["code"].n_unique() == 8
    per_client = demo.products.group_by("client").len()
    assert per_client.height == 8
    assert per_client["len"].min() >= 4 and per_client["len"].max() <= 12
    assert demo.products["code"].n_unique() == demo.products.height
    assert set(demo.products["site"]) <= set(demo.sites["code"])


def test_distinct_lines_match_the_requested_number(demo):
    distinct = demo.rows.select(KEY).unique().height
    assert abs(distinct - LINES) <= 0.05 * LINES
    orders = demo.rows.select(KEY).unique().group_by("client", "order").len()
    assert orders["len"].min() >= 1 and orders["len"].max() <= 6


def test_values_are_from_their_vocabularies(demo):
    rows = demo.rows
    assert set(rows["status"]) == {"open", "closed", "cancelled"}
    assert set(rows["unit"]) == {"packs", "vials"}
    assert set(rows["currency"]) == {"EUR", "USD"}
    assert set(rows["transport_mode"]) == {"Road", "Air", "Sea", "Courier"}
    assert set(rows["product_group"]) <= {
        "Oral solids",
        "Sterile injectables",
        "Liquids",
        "Biologics",
    }
    assert rows["ordered_qty"].min() >= 0 and rows["line_value"].min() >= 0


def test_nothing_is_delivered_after_the_end_date(demo):
    rows = demo.rows
    assert rows["delivered_date"].max() <= END
    assert rows["shipped_date"].max() <= END
    assert (rows["shipped_date"] <= rows["delivered_date"]).all()


def test_delivery_fields_are_all_set_or_all_empty(demo):
    nulls = demo.rows.select(
        pl.col(c).is_null()
        for c in ("shipped_date", "delivered_date", "delivered_qty", "delivery_id", "batch")
    )
    assert (
        nulls.select(pl.all_horizontal(pl.all()) | ~pl.any_horizontal(pl.all())).to_series().all()
    )
    ids = demo.rows["delivery_id"].drop_nulls()
    assert ids.n_unique() == ids.len()


def test_a_line_with_nothing_delivered_has_exactly_one_row(demo, per_line):
    rows_per_line = demo.rows.group_by(KEY).len()
    undelivered = per_line.filter(pl.col("deliveries") == 0).join(rows_per_line, on=KEY)
    assert undelivered.height > 0
    assert (undelivered["len"] == 1).all()


def test_every_product_belongs_to_its_client(demo):
    used = demo.rows.select("client", "product", "product_group").unique()
    unknown = used.join(
        demo.products.select("client", pl.col("code").alias("product"), "product_group"),
        on=["client", "product", "product_group"],
        how="anti",
    )
    assert unknown.height == 0


def test_lines_mostly_ship_from_the_products_main_site(demo):
    main = demo.rows.join(
        demo.products.select(pl.col("code").alias("product"), pl.col("site").alias("main")),
        on="product",
    )
    assert (main["site"] == main["main"]).mean() > 0.95


def test_dates_are_spread_over_the_period_and_six_weeks_beyond(demo):
    committed = demo.rows["committed_date"]
    assert committed.min() >= dt.date(2024, 11, 21)
    assert committed.max() <= END + dt.timedelta(days=60)
    months = committed.dt.truncate("1mo").n_unique()
    assert months >= 24
    lines = demo.rows.unique(KEY)
    assert (lines["requested_date"] <= lines["first_committed_date"]).all()
    assert (lines["requested_date"] < lines["first_committed_date"]).mean() > 0.1
    moved = (lines["first_committed_date"] != lines["committed_date"]).mean()
    assert 0.03 < moved < 0.25


def test_lines_due_after_the_end_are_open_and_incomplete(per_line):
    future = per_line.filter(pl.col("committed") > END)
    assert future.height > 0
    assert (future["status"] == "open").all()
    assert (future["delivered"] < future["ordered"]).all()


def test_split_deliveries_and_cancellations_are_present(per_line):
    split = (per_line["deliveries"] >= 2).mean()
    assert 0.05 < split < 0.15
    assert (per_line["deliveries"] == 3).sum() > 0
    cancelled = per_line.filter(pl.col("status") == "cancelled")
    assert 0.01 < cancelled.height / per_line.height < 0.03
    assert (cancelled["deliveries"] == 0).all()


def test_zero_quantity_lines_are_very_rare(per_line):
    zero = per_line.filter(pl.col("ordered") == 0)
    assert 1 <= zero.height <= 0.002 * per_line.height
    assert (zero["deliveries"] == 0).all()


def test_failures_of_every_kind_occur(judged):
    kinds = judged["kind"].value_counts()
    counts = dict(zip(kinds["kind"], kinds["count"], strict=True))
    for kind in ("late", "short", "late_and_short", "not_delivered"):
        assert counts.get(kind, 0) > 0, kind
    measured = judged.filter("measured")
    over = measured.filter(pl.col("q_total") > pl.col("ordered_qty")).height
    short = measured.filter(pl.col("q_total") < pl.col("ordered_qty")).height
    assert 0 < over < short


def test_split_delivery_completing_late_occurs(demo, judged):
    late = judged.filter(pl.col("kind") == "late").select(*KEY)
    parts = (
        demo.rows.join(late, on=KEY)
        .group_by(KEY)
        .agg(
            n=pl.len(),
            first=pl.col("delivered_date").min(),
            due=pl.col("committed_date").first(),
        )
    )
    assert parts.filter((pl.col("n") >= 2) & (pl.col("first") <= pl.col("due"))).height > 0


def test_late_deliveries_fall_in_every_delay_class(judged):
    late = judged.filter(pl.col("measured") & (pl.col("days_late") > 0))["days_late"]
    assert ((late >= 1) & (late <= 2)).sum() > 0
    assert ((late >= 3) & (late <= 7)).sum() > 0
    assert ((late >= 8) & (late <= 14)).sum() > 0
    assert (late > 14).sum() > 0
    on_time = judged.filter(pl.col("otif"))["days_late"]
    assert (on_time < 0).mean() > 0.3  # early deliveries are common


def test_open_past_due_lines_with_nothing_delivered_are_few_and_recent(judged):
    missing = judged.filter(pl.col("kind") == "not_delivered")
    assert 0 < missing.height < 0.01 * judged.height
    assert missing["committed_date"].min() >= END - dt.timedelta(days=90)
    assert (missing["status"] == "open").all()


def test_otif_is_realistic_and_differs_by_client_and_site(judged):
    measured = judged.filter("measured")
    assert 0.80 <= measured["otif"].mean() <= 0.92
    by_client = measured.group_by("client").agg(pl.col("otif").mean())["otif"]
    by_site = measured.group_by("site").agg(pl.col("otif").mean())["otif"]
    assert by_client.max() - by_client.min() > 0.03
    assert by_site.max() - by_site.min() > 0.005


def test_transit_time_depends_on_transport_mode(demo):
    transit = (
        demo.rows.drop_nulls("delivery_id")
        .group_by("transport_mode")
        .agg((pl.col("delivered_date") - pl.col("shipped_date")).dt.total_days().mean())
    )
    days = dict(zip(transit["transport_mode"], transit["delivered_date"], strict=True))
    assert days["Sea"] > days["Air"] > days["Road"]


def test_root_causes_name_failed_lines_with_valid_codes(demo, judged):
    causes = demo.root_causes
    assert set(causes["code"]) <= set(AREA_BY_CODE)
    assert set(causes["status"]) == {"proposed", "approved", "disputed"}
    assert causes.select(KEY).is_unique().all()
    assert causes["comment"].str.len_chars().min() > 5
    assert not causes["comment"].str.contains("{d}", literal=True).any()
    failed = judged.filter(pl.col("measured") & ~pl.col("otif"))
    assert causes.join(failed, on=KEY, how="anti").height == 0
    assert 0.6 <= causes.height / failed.height <= 0.8
    status = causes["status"].value_counts(normalize=True)
    shares = dict(zip(status["status"], status["proportion"], strict=True))
    assert shares["approved"] > 0.6 and shares["disputed"] < shares["proposed"]


def test_the_sterile_site_fails_mostly_on_quality(demo):
    causes = demo.root_causes.join(demo.rows.unique(KEY).select(*KEY, "site"), on=KEY)
    area = pl.col("code").replace_strict(AREA_BY_CODE)
    quality = causes.group_by("site").agg((area == "quality").mean().alias("share"))
    share = dict(zip(quality["site"], quality["share"], strict=True))
    assert share["CRK"] > 0.35
    assert share["CRK"] > 2 * max(share["LYO"], share["BSL"])


def test_one_client_causes_most_client_attributable_failures(demo):
    area = pl.col("code").replace_strict(AREA_BY_CODE)
    shares = demo.root_causes.group_by("client").agg((area == "client").mean().alias("share"))
    ranked = shares.sort("share", descending=True)
    assert ranked["client"][0] == "FJORD"
    assert ranked["share"][0] > 2 * ranked["share"][1]


def test_another_end_date_and_period(demo):
    end = dt.date(2025, 3, 31)
    data = generate(seed=3, lines=2_000, end=end, months=6)
    assert data.rows.select(KEY).unique().height == 2_000
    assert data.rows["delivered_date"].max() <= end
    assert data.rows["committed_date"].min() >= dt.date(2024, 9, 30)
    assert data.rows["committed_date"].max() <= end + dt.timedelta(days=60)


@pytest.mark.parametrize("kwargs", [{"lines": 0}, {"months": 0}])
def test_nonsense_sizes_are_refused(kwargs):
    with pytest.raises(ValueError):
        generate(**kwargs)
