"""The customer-lens FMEA of kpis.md 10: the Action Priority over every combination, against a
table typed here from kpis.md (each row of its table expanded, not the engine's data), and the
ratings it refuses."""

import pytest

from tower.engine.fmea import (
    RatingError,
    action_priority,
    ap_table,
    backlog_key,
    rating,
    rpn,
    severity,
)


# kpis.md 10, typed again: for each (S values, O values), the AP for D = 1..10 (index d - 1).
# Columns of kpis.md: D 7-10 | D 5-6 | D 2-4 | D 1; so a row "a b c e" reads, for D = 1..10,
# e c c c b b a a a a.
def _row(d710, d56, d24, d1):
    return [d1, d24, d24, d24, d56, d56, d710, d710, d710, d710]


KPIS_MD_10 = [
    ((9, 10), (8, 9, 10), _row("H", "H", "H", "H")),
    ((9, 10), (6, 7), _row("H", "H", "H", "H")),
    ((9, 10), (4, 5), _row("H", "H", "H", "M")),
    ((9, 10), (2, 3), _row("H", "M", "L", "L")),
    ((7, 8), (8, 9, 10), _row("H", "H", "H", "H")),
    ((7, 8), (6, 7), _row("H", "H", "H", "M")),
    ((7, 8), (4, 5), _row("H", "M", "M", "M")),
    ((7, 8), (2, 3), _row("M", "M", "L", "L")),
    ((4, 5, 6), (8, 9, 10), _row("H", "H", "M", "M")),
    ((4, 5, 6), (6, 7), _row("M", "M", "M", "L")),
    ((4, 5, 6), (4, 5), _row("M", "L", "L", "L")),
    ((2, 3), (8, 9, 10), _row("M", "M", "L", "L")),
]


def expected_table() -> dict[tuple[int, int, int], str]:
    table = {(s, o, d): "L" for s in range(1, 11) for o in range(1, 11) for d in range(1, 11)}
    for severities, occurrences, by_detection in KPIS_MD_10:
        for s in severities:
            for o in occurrences:
                for d in range(1, 11):
                    table[s, o, d] = by_detection[d - 1]
    return table


def test_every_one_of_the_1000_combinations_matches_kpis_md_10():
    expected = expected_table()
    assert len(expected) == 1000
    got = {key: action_priority(*key) for key in expected}
    assert [k for k in expected if got[k] != expected[k]] == []


def test_the_counts_are_318_high_214_medium_468_low():
    values = [action_priority(s, o, d) for s, o, d in expected_table()]
    assert (values.count("H"), values.count("M"), values.count("L")) == (318, 214, 468)


def test_spot_checks_read_straight_from_the_table():
    assert action_priority(10, 1, 10) == "L"  # any S with O = 1
    assert action_priority(9, 2, 10) == "H"
    assert action_priority(9, 3, 5) == "M"
    assert action_priority(9, 3, 4) == "L"
    assert action_priority(9, 5, 1) == "M"
    assert action_priority(8, 7, 1) == "M"
    assert action_priority(6, 8, 4) == "M"
    assert action_priority(6, 3, 10) == "L"  # S 4-6 with O 1-3
    assert action_priority(3, 8, 6) == "M"
    assert action_priority(3, 7, 10) == "L"  # S 2-3 with O 1-7
    assert action_priority(1, 10, 10) == "L"  # S = 1


def test_the_printed_table_is_the_same_1000_rows_in_order():
    frame = ap_table()
    assert frame.columns == ["s", "o", "d", "ap"]
    assert frame.height == 1000
    rows = frame.rows()
    assert rows[0] == (1, 1, 1, "L") and rows[-1] == (10, 10, 10, "H")
    expected = expected_table()
    assert {(s, o, d): ap for s, o, d, ap in rows} == expected
    assert [r[:3] for r in rows] == sorted(expected)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "from 1 to 10; got 0"),
        (11, "from 1 to 10; got 11"),
        (-3, "got -3"),
        ("7", "whole number from 1 to 10; got '7'"),
        ("high", "got 'high'"),
        (7.0, "got 7.0"),
        (7.5, "got 7.5"),
        (None, "got nothing"),
        (True, "got True"),
    ],
)
def test_invalid_ratings_are_clear_errors(value, words):
    for call, name in (
        (lambda: action_priority(value, 5, 5), "Severity"),
        (lambda: action_priority(5, value, 5), "Occurrence"),
        (lambda: action_priority(5, 5, value), "Detection"),
        (lambda: rpn(5, 5, value), "Detection"),
        (lambda: severity(5, value, 5), "Severity (client)"),
    ):
        with pytest.raises(RatingError) as caught:
            call()
        assert str(caught.value).startswith(name + " must be")
        assert words in str(caught.value)


def test_severity_is_the_highest_lens_and_rpn_the_product():
    assert severity(3, 8, 5) == 8
    assert severity(9, 2, 2) == 9
    assert severity(1, 1, 10) == 10
    assert rpn(8, 4, 7) == 224
    assert rating(10) == 10


def test_backlog_key_ranks_ap_then_s_o_d_descending():
    rows = [("L", 10, 1, 10), ("M", 5, 9, 2), ("H", 7, 9, 1), ("H", 9, 2, 8), ("M", 5, 9, 3)]
    ranked = sorted(rows, key=lambda r: backlog_key(*r))
    assert ranked == [
        ("H", 9, 2, 8),
        ("H", 7, 9, 1),
        ("M", 5, 9, 3),
        ("M", 5, 9, 2),
        ("L", 10, 1, 10),
    ]
