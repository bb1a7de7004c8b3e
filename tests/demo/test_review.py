"""The demo's stock-outs, surveys and review records (tower.demo.review) follow its order lines."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.demo.conftest import END
from tower.agreements.models import DEFAULT_OOS_LOOKBACK_DAYS, PenaltyTerm
from tower.demo.catalogue import CLIENTS
from tower.demo.review import last_complete_quarter
from tower.engine.kpi_catalogue import KPI_BY_CODE
from tower.engine.periods import parse_period
from tower.engine.root_causes import AREA_BY_CODE, ATTRIBUTABLE_AREAS
from tower.ingest.specs import STOCKOUTS
from tower.performance.attribution import links_for

KEY = ["client", "order", "line"]
CODES = [c.code for c in CLIENTS]


@pytest.fixture(scope="module")
def attributed(demo, judged):
    """The stock-outs with `cmo_caused` as tower.performance.attribution decides it, lines due
    on the committed date (the default definition)."""
    events = demo.stock_outs.with_row_index("event_id").with_columns(product_id=pl.col("product"))
    causing = (
        judged.filter(pl.col("measured") & ~pl.col("otif"))
        .join(demo.root_causes.filter(pl.col("status") == "approved"), on=KEY)
        .filter(pl.col("code").replace_strict(AREA_BY_CODE).is_in(list(ATTRIBUTABLE_AREAS)))
        .select(
            pl.int_range(pl.len()).alias("line_id"),
            pl.col("product").alias("product_id"),
            pl.col("committed_date").alias("due_date"),
        )
    )
    links = links_for(events, causing, DEFAULT_OOS_LOOKBACK_DAYS)
    return events.with_columns(cmo_caused=pl.col("event_id").is_in(links["event_id"].implode()))


def test_stock_outs_use_the_import_field_names(demo):
    assert [c for c in demo.stock_outs.columns if c != "source"] == list(STOCKOUTS.names)
    key = ["client", "product", "location", "start_date"]
    assert demo.stock_outs.select(key).is_unique().all()
    products = demo.products.select("client", pl.col("code").alias("product"))
    assert demo.stock_outs.join(products, on=["client", "product"], how="anti").height == 0


def test_each_client_has_stock_outs_the_cmo_caused_and_others(attributed):
    per_client = attributed.group_by("client").agg(
        caused=pl.col("cmo_caused").sum(), other=(~pl.col("cmo_caused")).sum()
    )
    assert sorted(per_client["client"]) == sorted(CODES)
    assert (per_client["caused"] >= 1).all() and (per_client["other"] >= 1).all()


def test_a_few_stock_outs_last_and_two_are_reported(demo):
    events = demo.stock_outs
    open_ = events.filter(pl.col("end_date").is_null())
    assert 1 <= open_.height <= 6
    assert open_["start_date"].min() >= END - dt.timedelta(days=90)
    assert events["start_date"].max() < END
    assert (
        (events.drop_nulls("end_date").select(pl.col("end_date") >= pl.col("start_date")))
        .to_series()
        .all()
    )
    assert events.drop_nulls("end_date")["end_date"].max() <= END
    reported = events.filter(pl.col("source") == "reported")
    assert reported.height == 2 and set(reported["client"]) == set(CODES[:2])
    assert set(events["source"]) == {"imported", "reported"}


def test_surveys_cover_four_to_six_quarters_with_one_to_three_users(demo):
    surveys = demo.review.surveys
    last = last_complete_quarter(END)
    quarters = surveys.group_by("client").agg(pl.col("period").n_unique())
    assert quarters["period"].min() >= 4 and quarters["period"].max() <= 6
    assert set(surveys["period"]) <= {last.shifted(-n).key for n in range(6)}
    users = surveys.group_by("client", "period").len()["len"]
    assert users.min() >= 1 and users.max() <= 3
    ratings = surveys.select(
        "delivery_reliability", "communication", "quality", "responsiveness", "overall"
    )
    assert ratings.min_horizontal().min() >= 1 and ratings.max_horizontal().max() <= 5
    assert (
        surveys["user"].str.split("-").list.first() == surveys["client"].str.to_lowercase()
    ).all()
    assert surveys["comment"].str.len_chars().max() > 10


def test_survey_ratings_follow_the_clients_otif(demo, judged):
    otif = judged.filter("measured").group_by("client").agg(pl.col("otif").mean())
    rating = demo.review.surveys.group_by("client").agg(pl.col("delivery_reliability").mean())
    both = otif.join(rating, on="client").sort("otif")
    worst, best = both.row(0, named=True), both.row(-1, named=True)
    assert worst["delivery_reliability"] < best["delivery_reliability"]


def test_agreement_terms_targets_and_penalties_are_valid(demo):
    review = demo.review
    assert sorted(review.agreements["client"]) == sorted(CODES)
    assert (review.agreements["oos_lookback_days"] == 60).all()
    currencies = dict(zip(CODES, [c.currency for c in CLIENTS], strict=True))
    assert (
        review.agreements.select(pl.col("client").replace_strict(currencies) == pl.col("currency"))
        .to_series()
        .all()
    )
    assert 2 <= review.penalties["client"].n_unique() < len(CODES)
    assert set(review.penalties["kind"]) == set(PenaltyTerm.Kind.values)
    assert 2 <= review.targets["client"].n_unique() < len(CODES)
    assert set(review.targets["kpi"]) <= set(KPI_BY_CODE)


def test_comments_on_the_last_quarter_and_two_to_four_actions(demo):
    review = demo.review
    last = last_complete_quarter(END)
    assert set(review.comments["period"]) == {last.key}
    assert set(review.comments["kpi"]) <= set(KPI_BY_CODE)
    per_client = review.comments.group_by("client").len()["len"]
    assert per_client.min() >= 2 and per_client.max() <= 3
    actions = review.actions
    count = actions.group_by("client").len()["len"]
    assert sorted(actions["client"].unique()) == sorted(CODES)
    assert count.min() >= 2 and count.max() <= 4
    assert set(actions["kpi"]) - {""} <= set(KPI_BY_CODE)
    for period in actions["period"].unique():
        assert parse_period(period).end < END
    done = actions.filter(pl.col("status") == "done")
    assert done.height == len(CODES) and (done["due_date"] < END).all()
