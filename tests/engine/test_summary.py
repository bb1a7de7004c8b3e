"""Hand-computed summaries (kpis.md 1 "Grains", 2 net OTIF, 3 Six Sigma) on a small data set.

The data set is written as outcomes (what `evaluate` returns), so these tests do not depend on
the per-line evaluation:

  line order product due         ordered value delivered  on_time in_full otif
  L1   A     P1      2026-03-05  100     1000  100        yes     yes     yes
  L2   A     P2      2026-03-10   50      500   40        yes     no      no   (short)
  L3   B     P1      2026-03-20  200     3000  200        no      yes     no   (late)
  L4   B     P2      2026-04-02  100     1000  100        yes     yes     yes
  L5   C     P1      2026-04-15   10      100   12        yes     yes     yes
  L6   C     P2      2026-07-01   40      400   40        no      yes     no   (late)
  L7   C     P1      2026-07-20   30      300    0        pending
  L8   A     P2      2026-03-25   20      200    0        excluded (cancelled)
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tower.engine import dpmo, sigma_level, summarise

from .reference import SUMMARY_DTYPES, make_outcomes


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def data_set(excused_lines: tuple[int, ...] = ()) -> pl.DataFrame:
    rows = [
        dict(order_key="A", product="P1", due_date=d(3, 5), ordered_qty=100.0, line_value=1000.0,
             delivered_qty=100.0, on_time=True, in_full=True),
        dict(order_key="A", product="P2", due_date=d(3, 10), ordered_qty=50.0, line_value=500.0,
             delivered_qty=40.0, on_time=True, in_full=False, failure_kind="short",
             due_basis="first_committed", due_fallback=True),
        dict(order_key="B", product="P1", due_date=d(3, 20), ordered_qty=200.0, line_value=3000.0,
             delivered_qty=200.0, on_time=False, in_full=True, failure_kind="late", days_late=4,
             delay_class="3-7"),
        dict(order_key="B", product="P2", due_date=d(4, 2), ordered_qty=100.0, line_value=1000.0,
             delivered_qty=100.0, on_time=True, in_full=True),
        dict(order_key="C", product="P1", due_date=d(4, 15), ordered_qty=10.0, line_value=100.0,
             delivered_qty=12.0, on_time=True, in_full=True),
        dict(order_key="C", product="P2", due_date=d(7, 1), ordered_qty=40.0, line_value=400.0,
             delivered_qty=40.0, on_time=False, in_full=True, failure_kind="late", days_late=1,
             delay_class="1-2"),
        dict(order_key="C", product="P1", due_date=d(7, 20), ordered_qty=30.0, line_value=300.0,
             delivered_qty=0.0, delivery_count=0, days_late=None, state="pending"),
        dict(order_key="A", product="P2", due_date=d(3, 25), ordered_qty=20.0, line_value=200.0,
             delivered_qty=0.0, delivery_count=0, days_late=None, state="excluded",
             exclusion="cancelled"),
    ]  # fmt: skip
    for i, row in enumerate(rows, start=1):
        row["excused"] = i in excused_lines
    return make_outcomes(rows, extra={"product": pl.String, "excused": pl.Boolean})


def only_row(frame: pl.DataFrame) -> dict:
    assert frame.height == 1
    return frame.row(0, named=True)


def figures(row: dict, *names: str) -> dict:
    return {name: row[name] for name in names}


PCTS = ("count", "weight", "on_time_pct", "in_full_pct", "otif_pct", "failed")

# --------------------------------------------------------------------------- grains


def test_line_grain_counts_each_measured_line_once():
    row = only_row(summarise(data_set(), grain="line"))
    assert figures(row, "grain", *PCTS, "on_time", "in_full", "otif") == {
        "grain": "line",
        "count": 6,
        "weight": 6.0,
        "on_time_pct": 66.67,  # L1 L2 L4 L5
        "in_full_pct": 83.33,  # L1 L3 L4 L5 L6
        "otif_pct": 50.0,  # L1 L4 L5
        "failed": 3,
        "on_time": 4.0,
        "in_full": 5.0,
        "otif": 3.0,
    }


def test_pending_and_excluded_lines_are_counted_apart_from_the_denominator():
    row = only_row(summarise(data_set(), grain="line"))
    assert figures(row, "pending", "excluded", "count") == {"pending": 1, "excluded": 1, "count": 6}


def test_order_grain_needs_every_measured_line_of_the_order():
    # A: short L2 -> on time, not in full. B: late L3 -> in full, not on time. C: late L6.
    row = only_row(summarise(data_set(), grain="order"))
    assert figures(row, "grain", *PCTS) == {
        "grain": "order",
        "count": 3,
        "weight": 3.0,
        "on_time_pct": 33.33,
        "in_full_pct": 66.67,
        "otif_pct": 0.0,
        "failed": 3,
    }


def test_order_grain_ignores_pending_and_excluded_lines_of_an_order():
    # given order C reduced to its OTIF line L5 and its pending line L7
    outcomes = data_set().filter(pl.col("line_id").is_in([5, 7, 8]))
    row = only_row(summarise(outcomes, grain="order"))
    # then C is one OTIF order (its pending L7 does not make it pending: it has a measured
    # line); A (only the excluded L8) is one excluded order, not a unit
    assert figures(row, "count", "otif_pct", "pending", "excluded") == {
        "count": 1,
        "otif_pct": 100.0,
        "pending": 0,
        "excluded": 1,
    }


def order_states_data_set() -> pl.DataFrame:
    """Five orders, each line's state given (kpis.md 1 grains; the order states of
    tower.engine.summary._order_states):

      order  lines (due)                                   order state
      A      A1 OTIF (03-05), A2 pending (04-10)           measured, OTIF
      B      B1 pending (03-12), B2 pending (04-01)        pending (month 2026-03)
      C      C1 excluded (04-02), C2 pending (03-20)       pending (month 2026-03)
      D      D1 excluded (04-05), D2 excluded (04-25)      excluded (month 2026-04)
      E      E1 excluded (03-01), E2 late (04-20)          measured, failed (month 2026-04)
    """
    measured = dict(on_time=True, in_full=True)
    pending = dict(delivered_qty=0.0, delivery_count=0, days_late=None, state="pending")
    excluded = dict(
        delivered_qty=0.0, delivery_count=0, days_late=None, state="excluded", exclusion="cancelled"
    )
    late = dict(on_time=False, in_full=True, failure_kind="late", days_late=3, delay_class="3-7")
    rows = [
        ("A", d(3, 5), measured), ("A", d(4, 10), pending),
        ("B", d(3, 12), pending), ("B", d(4, 1), pending),
        ("C", d(4, 2), excluded), ("C", d(3, 20), pending),
        ("D", d(4, 5), excluded), ("D", d(4, 25), excluded),
        ("E", d(3, 1), excluded), ("E", d(4, 20), late),
    ]  # fmt: skip
    return make_outcomes(
        [
            {"order_key": o, "due_date": due, "ordered_qty": 10.0, "delivered_qty": 10.0, **state}
            for o, due, state in rows
        ]
    )


def test_order_grain_counts_pending_and_excluded_orders_not_lines():
    outcomes = order_states_data_set()
    lines = only_row(summarise(outcomes, grain="line"))
    assert figures(lines, "count", "failed", "pending", "excluded") == {
        "count": 2,  # A1, E2
        "failed": 1,
        "pending": 4,  # A2, B1, B2, C2
        "excluded": 4,  # C1, D1, D2, E1
    }
    orders = only_row(summarise(outcomes, grain="order"))
    assert figures(orders, "count", "failed", "otif_pct", "pending", "excluded") == {
        "count": 2,  # A (OTIF), E (late)
        "failed": 1,
        "otif_pct": 50.0,
        "pending": 2,  # B, C
        "excluded": 1,  # D
    }
    assert orders["count"] + orders["pending"] + orders["excluded"] == 5


def test_order_grain_puts_an_unmeasured_order_in_the_month_of_its_earliest_due_date():
    by_month = summarise(order_states_data_set(), by=["month"], grain="order")
    assert by_month.select("month", "count", "pending", "excluded").rows() == [
        ("2026-03", 1, 2, 0),  # A (03-05); B (03-12), C (03-20)
        ("2026-04", 1, 0, 1),  # E (its measured line, 04-20); D (04-05)
    ]


def test_quantity_grain_weighs_lines_by_ordered_quantity():
    row = only_row(summarise(data_set(), grain="quantity"))
    assert figures(row, "grain", *PCTS, "on_time", "in_full", "otif") == {
        "grain": "quantity",
        "count": 6,
        "weight": 500.0,
        "on_time_pct": 52.0,  # 100 + 50 + 100 + 10 = 260
        "in_full_pct": 90.0,  # 100 + 200 + 100 + 10 + 40 = 450
        "otif_pct": 42.0,  # 100 + 100 + 10 = 210
        "failed": 3,
        "on_time": 260.0,
        "in_full": 450.0,
        "otif": 210.0,
    }


def test_value_grain_weighs_lines_by_line_value():
    row = only_row(summarise(data_set(), grain="value"))
    assert figures(row, "grain", *PCTS, "otif") == {
        "grain": "value",
        "count": 6,
        "weight": 6000.0,
        "on_time_pct": 43.33,  # 1000 + 500 + 1000 + 100 = 2600
        "in_full_pct": 91.67,  # 1000 + 3000 + 1000 + 100 + 400 = 5500
        "otif_pct": 35.0,  # 1000 + 1000 + 100 = 2100
        "failed": 3,
        "otif": 2100.0,
    }


def test_value_grain_gives_no_percent_when_no_line_has_a_value():
    outcomes = make_outcomes([dict(line_value=None), dict(line_value=None, on_time=False)])
    row = only_row(summarise(outcomes, grain="value"))
    assert figures(row, "count", "weight", "otif_pct", "dpmo", "sigma") == {
        "count": 2,
        "weight": 0.0,
        "otif_pct": None,
        "dpmo": None,
        "sigma": None,
    }


@pytest.mark.parametrize("grain", ["line", "order", "quantity", "value"])
def test_fill_rates_are_line_based_whatever_the_grain(grain):
    row = only_row(summarise(data_set(), grain=grain))
    # lines in full 5 / 6; volume min(delivered, ordered) 100+40+200+100+10+40 = 490 / 500
    assert figures(row, "line_fill_rate_pct", "volume_fill_rate_pct") == {
        "line_fill_rate_pct": 83.33,
        "volume_fill_rate_pct": 98.0,
    }


def test_due_fallback_counts_measured_lines_whose_due_date_fell_back():
    # given L2 (measured) fell back, and the pending L7 fell back too
    outcomes = data_set().with_columns(
        due_fallback=pl.col("line_id").is_in([2, 7]),
    )
    row = only_row(summarise(outcomes, grain="line"))
    assert row["due_fallback"] == 1


def test_summary_columns_have_the_contract_types():
    out = summarise(data_set(), by=["month"], grain="line")
    assert {name: out.schema[name] for name in SUMMARY_DTYPES} == SUMMARY_DTYPES
    assert out.schema["month"] == pl.String


# --------------------------------------------------------------------------- net OTIF


def test_net_counts_an_excused_failure_as_met():
    # given the late L3 has an approved client root cause
    outcomes = data_set(excused_lines=(3,))
    gross = only_row(summarise(outcomes, grain="line"))
    net = only_row(summarise(outcomes, grain="line", net=True))
    assert figures(gross, "on_time_pct", "otif_pct", "failed") == {
        "on_time_pct": 66.67,
        "otif_pct": 50.0,
        "failed": 3,
    }
    assert figures(net, "count", "on_time_pct", "in_full_pct", "otif_pct", "failed") == {
        "count": 6,
        "on_time_pct": 83.33,
        "in_full_pct": 83.33,
        "otif_pct": 66.67,
        "failed": 2,
    }


def test_net_at_order_grain_lets_an_excused_line_pass_its_order():
    # given L3 excused, order B (L3, L4) becomes OTIF; A is short, C late
    row = only_row(summarise(data_set(excused_lines=(3,)), grain="order", net=True))
    assert figures(row, "count", "on_time_pct", "in_full_pct", "otif_pct", "failed") == {
        "count": 3,
        "on_time_pct": 66.67,
        "in_full_pct": 66.67,
        "otif_pct": 33.33,
        "failed": 2,
    }


def test_net_at_quantity_grain():
    # given L2 (50 units, short) excused: otif 210 + 50 = 260 of 500
    row = only_row(summarise(data_set(excused_lines=(2,)), grain="quantity", net=True))
    assert figures(row, "in_full_pct", "otif_pct") == {"in_full_pct": 100.0, "otif_pct": 52.0}


# --------------------------------------------------------------------------- periods and keys


def by_key(frame: pl.DataFrame, key: str) -> dict:
    return {row[key]: row for row in frame.iter_rows(named=True)}


def test_by_month_at_line_grain():
    out = summarise(data_set(), by=["month"], grain="line")
    assert out["month"].to_list() == ["2026-03", "2026-04", "2026-07"]
    rows = by_key(out, "month")
    assert figures(rows["2026-03"], *PCTS, "pending", "excluded") == {
        "count": 3,  # L1 L2 L3
        "weight": 3.0,
        "on_time_pct": 66.67,
        "in_full_pct": 66.67,
        "otif_pct": 33.33,
        "failed": 2,
        "pending": 0,
        "excluded": 1,  # L8
    }
    assert figures(rows["2026-04"], *PCTS, "dpmo", "sigma") == {
        "count": 2,  # L4 L5
        "weight": 2.0,
        "on_time_pct": 100.0,
        "in_full_pct": 100.0,
        "otif_pct": 100.0,
        "failed": 0,
        "dpmo": 0.0,
        "sigma": None,  # no defect: the level is unbounded
    }
    assert figures(rows["2026-07"], *PCTS, "pending") == {
        "count": 1,  # L6
        "weight": 1.0,
        "on_time_pct": 0.0,
        "in_full_pct": 100.0,
        "otif_pct": 0.0,
        "failed": 1,
        "pending": 1,  # L7
    }


def test_by_quarter_at_line_grain():
    out = summarise(data_set(), by=["quarter"], grain="line")
    assert out["quarter"].to_list() == ["2026Q1", "2026Q2", "2026Q3"]
    assert out["count"].to_list() == [3, 2, 1]
    assert out["otif_pct"].to_list() == [33.33, 100.0, 0.0]
    assert out["excluded"].to_list() == [1, 0, 0]
    assert out["pending"].to_list() == [0, 0, 1]


def test_order_grain_puts_an_order_in_the_month_of_its_earliest_due_date():
    # A: earliest 3-05 -> March (not in full). B: earliest 3-20 -> March (late L3).
    # C: earliest measured due 4-15 -> April, judged with its July line L6 (late).
    out = summarise(data_set(), by=["month"], grain="order")
    rows = by_key(out, "month")
    assert figures(rows["2026-03"], "count", "on_time_pct", "in_full_pct", "otif_pct") == {
        "count": 2,
        "on_time_pct": 50.0,
        "in_full_pct": 50.0,
        "otif_pct": 0.0,
    }
    assert figures(rows["2026-04"], "count", "on_time_pct", "in_full_pct", "otif_pct") == {
        "count": 1,
        "on_time_pct": 0.0,
        "in_full_pct": 100.0,
        "otif_pct": 0.0,
    }
    # July holds no measured order (only the pending L7): no figure, never 0 % or 100 %
    if "2026-07" in rows:
        assert figures(rows["2026-07"], "count", "otif_pct") == {"count": 0, "otif_pct": None}
    assert sum(out["count"]) == 3


def test_order_grain_by_product_judges_an_order_on_its_lines_of_that_product():
    # P1: A{L1 ok} B{L3 late} C{L5 ok}; P2: A{L2 short} B{L4 ok} C{L6 late}
    out = summarise(data_set(), by=["product"], grain="order")
    assert out["product"].to_list() == ["P1", "P2"]
    rows = by_key(out, "product")
    assert figures(rows["P1"], "count", "on_time_pct", "in_full_pct", "otif_pct") == {
        "count": 3,
        "on_time_pct": 66.67,
        "in_full_pct": 100.0,
        "otif_pct": 66.67,
    }
    assert figures(rows["P2"], "count", "on_time_pct", "in_full_pct", "otif_pct") == {
        "count": 3,
        "on_time_pct": 66.67,
        "in_full_pct": 66.67,
        "otif_pct": 33.33,
    }


def test_by_failure_kind_counts_failed_lines_per_kind():
    out = summarise(data_set().filter(pl.col("otif") == False), by=["failure_kind"])  # noqa: E712
    assert out["failure_kind"].to_list() == ["late", "short"]
    assert out["failed"].to_list() == [2, 1]


def test_by_two_keys_sorts_by_both():
    out = summarise(data_set(), by=["product", "quarter"], grain="line")
    assert out.select("product", "quarter").rows() == [
        ("P1", "2026Q1"),
        ("P1", "2026Q2"),
        ("P1", "2026Q3"),
        ("P2", "2026Q1"),
        ("P2", "2026Q2"),
        ("P2", "2026Q3"),
    ]
    # P1 Q3 holds only the pending L7; P2 Q1 holds L2 and the excluded L8
    assert out["count"].to_list() == [2, 1, 0, 1, 1, 1]
    assert out["pending"].to_list() == [0, 0, 1, 0, 0, 0]
    assert out["excluded"].to_list() == [0, 0, 0, 1, 0, 0]
    assert out["otif_pct"].to_list() == [50.0, 100.0, None, 0.0, 100.0, 0.0]


# --------------------------------------------------------------------------- no data


@pytest.mark.parametrize("grain", ["line", "order", "quantity", "value"])
def test_empty_outcomes_give_no_data_never_zero_or_hundred_percent(grain):
    empty = make_outcomes([])
    row = only_row(summarise(empty, grain=grain))
    assert figures(
        row,
        "count",
        "weight",
        "on_time_pct",
        "in_full_pct",
        "otif_pct",
        "failed",
        "pending",
        "excluded",
        "line_fill_rate_pct",
        "volume_fill_rate_pct",
        "dpmo",
        "sigma",
    ) == {
        "count": 0,
        "weight": 0.0,
        "on_time_pct": None,
        "in_full_pct": None,
        "otif_pct": None,
        "failed": 0,
        "pending": 0,
        "excluded": 0,
        "line_fill_rate_pct": None,
        "volume_fill_rate_pct": None,
        "dpmo": None,
        "sigma": None,
    }


def test_only_pending_and_excluded_lines_give_no_data():
    outcomes = data_set().filter(pl.col("line_id").is_in([7, 8]))
    row = only_row(summarise(outcomes, grain="line"))
    assert figures(row, "count", "otif_pct", "pending", "excluded", "dpmo") == {
        "count": 0,
        "otif_pct": None,
        "pending": 1,
        "excluded": 1,
        "dpmo": None,
    }


# --------------------------------------------------------------------------- Six Sigma


def test_otif_95_percent_is_dpmo_50000_and_sigma_3_14():
    # given 20 measured lines, one of them late
    outcomes = make_outcomes([dict(on_time=i != 0) for i in range(20)])
    row = only_row(summarise(outcomes, grain="line"))
    assert row["otif_pct"] == 95.0
    assert row["dpmo"] == pytest.approx(50_000)
    assert row["sigma"] == pytest.approx(3.1449, abs=1e-4)
    assert round(row["sigma"], 2) == 3.14


def test_half_failed_is_sigma_1_5():
    row = only_row(summarise(data_set(), grain="line"))
    assert row["dpmo"] == pytest.approx(500_000)
    assert row["sigma"] == pytest.approx(1.5)


def test_every_unit_failed_has_dpmo_one_million_and_no_sigma():
    row = only_row(summarise(data_set(), grain="order"))
    assert row["dpmo"] == pytest.approx(1_000_000)
    assert row["sigma"] is None


def test_dpmo_at_quantity_grain_uses_the_weighted_otif():
    row = only_row(summarise(data_set(), grain="quantity"))
    assert row["dpmo"] == pytest.approx(580_000)  # 1 - 210/500


def test_dpmo_function():
    assert dpmo(5, 100) == pytest.approx(50_000)
    assert dpmo(0, 100) == 0
    assert dpmo(3, 0) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (50_000, pytest.approx(3.1449, abs=1e-4)),
        (500_000, pytest.approx(1.5)),
        (3.4, pytest.approx(6.0, abs=1e-3)),  # the textbook "six sigma"
        (None, None),
        (0, None),
        (1_000_000, None),
    ],
)
def test_sigma_level(value, expected):
    assert sigma_level(value) == expected
