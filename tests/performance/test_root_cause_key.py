"""A root cause is unique per (client, line), no longer a one-to-one (design.md, Scale path):
`line.root_cause` still reads the line's cause or None, a list loads every shown cause in one
query (tower.performance.queries.with_root_cause), and proposing again for a line changes its
one cause instead of adding a second. Data: conftest.py (ACME, March 2026: PO-1/2 late, PO-2/1
short, PO-3/1 not delivered; PO-1/1 met)."""

from tests.performance.conftest import MARCH, line
from tower.performance.models import LineOutcome, RootCause
from tower.performance.queries import FAILED, unresolved_lines, with_root_cause
from tower.performance.services import propose_root_cause


def test_a_line_reads_its_one_cause_or_none(acme_data, people, django_assert_num_queries):
    propose_root_cause(
        line=line("PO-1", "2"), code="MFG-EQUIPMENT", comment="a", user=people["staff"]
    )
    again = propose_root_cause(
        line=line("PO-1", "2"), code="CLI-ARTWORK", comment="b", user=people["staff"]
    )

    assert RootCause.objects.filter(line=line("PO-1", "2")).count() == 1
    late, met = line("PO-1", "2"), line("PO-1", "1")
    with django_assert_num_queries(1):  # by client and line
        cause = late.root_cause
    assert cause == again and cause.code_id == "CLI-ARTWORK"
    with django_assert_num_queries(1):
        assert met.root_cause is None


def test_a_list_reads_every_cause_in_one_more_query(acme_data, people, django_assert_num_queries):
    for order, number in (("PO-1", "2"), ("PO-2", "1")):
        propose_root_cause(
            line=line(order, number), code="MFG-EQUIPMENT", comment="x", user=people["staff"]
        )
    failed = with_root_cause(
        LineOutcome.objects.filter(FAILED, client=acme_data, period=MARCH)
        .select_related("line__order")
        .order_by("line__order__number", "line__line_number")
    )
    with django_assert_num_queries(2):  # the outcomes with their lines, then their causes
        shown = [
            (
                o.line.order.number,
                o.line.line_number,
                o.line.root_cause and o.line.root_cause.code.area.code,
            )
            for o in failed
        ]
    assert shown == [
        ("PO-1", "2", "manufacturing"),
        ("PO-2", "1", "manufacturing"),
        ("PO-3", "1", None),
    ]
    # The month's unresolved lines (what a close would freeze open) carry them the same way.
    with django_assert_num_queries(2):
        unresolved = [
            (o.line.order.number, o.line.root_cause is not None)
            for o in unresolved_lines(acme_data, MARCH)
        ]
    assert unresolved == [("PO-1", True), ("PO-2", True), ("PO-3", False)]
