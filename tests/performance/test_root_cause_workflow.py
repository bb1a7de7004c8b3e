"""The root-cause workflow (kpis.md 2) and the manual exclusion of a line (kpis.md 1).

The CMO proposes, the client approver approves or disputes; only an approved cause whose area
is not CMO-attributable turns a failure into a met line in net OTIF. Data: conftest.py (March
2026 for ACME has 4 measured lines, 1 OTIF; its failures are PO-1/2 late, PO-2/1 short and
PO-3/1 not delivered; April has PO-4/2 late).
"""

import pytest

from tests.performance.conftest import (
    ACME_APRIL,
    ACME_MARCH,
    APRIL,
    MARCH,
    failure_rows,
    line,
    monthly,
)
from tower.masterdata.models import RootCauseCode
from tower.performance.models import (
    LineOutcome,
    MonthlyFailure,
    MonthlyOtif,
    RootCause,
    RootCauseStatus,
)
from tower.performance.services import (
    ProposalCount,
    approve_root_cause,
    approve_root_causes,
    dispute_root_cause,
    propose_root_cause,
    propose_root_causes,
    refresh_outcomes,
    set_line_exclusion,
)
from tower.workflow import NotAllowed, WorkflowError

UNCLASSIFIED_MARCH = {("unclassified", None, "unclassified", 3, 0)}


def propose(who, order, number="1", code="MFG-EQUIPMENT", comment="Line 3 filler broke down"):
    return propose_root_cause(line=line(order, number), code=code, comment=comment, user=who)


# --- proposing -------------------------------------------------------------------------------


def test_cmo_staff_proposal_is_recorded_with_user_and_reason(acme_data, people):
    staff = people["staff"]

    cause = propose(staff, "PO-1", "2", comment="Filler broke down on 9 March")

    assert cause.status == RootCauseStatus.PROPOSED
    assert (cause.code_id, cause.comment, cause.proposed_by) == (
        "MFG-EQUIPMENT",
        "Filler broke down on 9 March",
        "planner",
    )
    assert cause.proposed_at is not None and cause.client == acme_data
    assert (cause.reviewed_by, cause.reviewed_at, cause.review_comment) == ("", None, "")
    (record,) = cause.history.all()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        staff,
        "proposed",
    )
    assert (record.status, record.code_id) == ("proposed", "MFG-EQUIPMENT")


def test_proposed_cause_shows_in_the_failure_breakdown_but_not_in_net_otif(acme_data, people):
    assert failure_rows(acme_data, MARCH) == UNCLASSIFIED_MARCH

    propose(people["staff"], "PO-1", "2", code="CLI-ARTWORK")

    assert failure_rows(acme_data, MARCH) == {
        ("client", "CLI-ARTWORK", "proposed", 1, 0),
        ("unclassified", None, "unclassified", 2, 0),
    }
    assert monthly(acme_data, MARCH) == ACME_MARCH  # not approved: net OTIF does not move


def test_the_cmo_admin_may_propose_too(acme_data, people):
    cause = propose(people["admin"], "PO-2")
    assert (cause.status, cause.proposed_by) == ("proposed", "boss")


@pytest.mark.parametrize("who", ["viewer", "approver", "other_staff", "other_approver"])
def test_client_users_and_staff_of_another_client_cannot_propose(acme_data, people, who):
    with pytest.raises(NotAllowed):
        propose(people[who], "PO-1", "2")
    assert not RootCause.objects.exists()
    assert failure_rows(acme_data, MARCH) == UNCLASSIFIED_MARCH


@pytest.mark.parametrize(
    ("order", "number"),
    [("PO-1", "1"), ("PO-5", "1")],
    ids=["otif-line", "excluded-line"],
)
def test_proposing_on_a_line_that_did_not_fail_is_refused(acme_data, people, order, number):
    with pytest.raises(WorkflowError, match="did not fail"):
        propose(people["staff"], order, number)
    assert not RootCause.objects.exists()


def test_unknown_or_inactive_code_is_refused(acme_data, people):
    with pytest.raises(WorkflowError, match="not an active root-cause code"):
        propose(people["staff"], "PO-1", "2", code="NO-SUCH-CODE")
    RootCauseCode.objects.filter(code="MFG-YIELD").update(active=False)
    with pytest.raises(WorkflowError, match="not an active root-cause code"):
        propose(people["staff"], "PO-1", "2", code="MFG-YIELD")
    assert not RootCause.objects.exists()


def test_internal_note_is_stored_apart_from_the_shared_comment(acme_data, people):
    propose_root_cause(
        line=line("PO-2"),
        code="MAT-SHORTAGE",
        comment="Material arrived short",
        internal_note="Supplier X again; escalate to purchasing",
        user=people["staff"],
    )
    stored = RootCause.objects.get(line=line("PO-2"))
    assert (stored.comment, stored.internal_note) == (
        "Material arrived short",
        "Supplier X again; escalate to purchasing",
    )


# --- approving and disputing -----------------------------------------------------------------


def test_approved_client_cause_counts_as_met_in_net_otif(acme_data, people):
    # Given a proposed client cause (artwork approval late) for the late line PO-1/2
    cause = propose(people["staff"], "PO-1", "2", code="CLI-ARTWORK")

    # When the client approver approves it
    approved = approve_root_cause(
        root_cause=cause, user=people["approver"], comment="  Yes, our artwork was late  "
    )

    # Then the cause is approved with the reviewer named...
    assert approved.status == RootCauseStatus.APPROVED
    assert (approved.reviewed_by, approved.review_comment) == (
        "approver",
        "Yes, our artwork was late",
    )
    assert approved.reviewed_at is not None
    stored = RootCause.objects.get(pk=cause.pk)
    assert (stored.status, stored.reviewed_by) == ("approved", "approver")
    # ...and March's net OTIF counts PO-1/2 as met (1 -> 2 of 4); gross stays 1 of 4.
    assert monthly(acme_data, MARCH) == ACME_MARCH | {"net_otif": 2}
    net = monthly(acme_data, MARCH, ("net_on_time", "net_in_full", "on_time", "in_full"))
    # PO-1/2 was late but in full: net on-time 2 -> 3, net in-full stays 2.
    assert net == {"net_on_time": 3, "net_in_full": 2, "on_time": 2, "in_full": 2}
    assert failure_rows(acme_data, MARCH) == {
        ("client", "CLI-ARTWORK", "approved", 1, 1),
        ("unclassified", None, "unclassified", 2, 0),
    }
    # April is untouched.
    assert monthly(acme_data, APRIL) == ACME_APRIL


def test_approved_cmo_attributable_cause_leaves_net_otif_unchanged(acme_data, people):
    cause = propose(people["staff"], "PO-2", code="MFG-EQUIPMENT")

    approve_root_cause(root_cause=cause, user=people["approver"])

    assert monthly(acme_data, MARCH) == ACME_MARCH  # net_otif stays 1, otif stays 1
    assert failure_rows(acme_data, MARCH) == {
        ("manufacturing", "MFG-EQUIPMENT", "approved", 1, 0),
        ("unclassified", None, "unclassified", 2, 0),
    }


def test_approved_external_cause_counts_as_met_in_net_otif(acme_data, people):
    cause = propose(people["staff"], "PO-4", "2", code="EXT-REGULATOR")

    approve_root_cause(root_cause=cause, user=people["approver"])

    assert monthly(acme_data, APRIL) == ACME_APRIL | {"net_otif": 2}
    assert monthly(acme_data, MARCH) == ACME_MARCH


def test_dispute_needs_a_comment(acme_data, people):
    cause = propose(people["staff"], "PO-2")

    for empty in ("", "   "):
        with pytest.raises(WorkflowError, match="Say why"):
            dispute_root_cause(root_cause=cause, user=people["approver"], comment=empty)

    assert RootCause.objects.get(pk=cause.pk).status == RootCauseStatus.PROPOSED
    assert cause.history.count() == 1


def test_disputed_cause_leaves_net_otif_unchanged(acme_data, people):
    cause = propose(people["staff"], "PO-2", code="CLI-SUPPLIED-LATE")

    dispute_root_cause(root_cause=cause, user=people["approver"], comment="API was on time")

    assert monthly(acme_data, MARCH) == ACME_MARCH
    assert failure_rows(acme_data, MARCH) == {
        ("client", "CLI-SUPPLIED-LATE", "disputed", 1, 0),
        ("unclassified", None, "unclassified", 2, 0),
    }


def test_disputed_cause_can_be_proposed_again_and_history_shows_every_step(acme_data, people):
    staff, approver = people["staff"], people["approver"]
    # Given a proposal the client disputes
    cause = propose(staff, "PO-1", "2", code="MFG-EQUIPMENT", comment="Filler broke down")
    disputed = dispute_root_cause(
        root_cause=cause, user=approver, comment="Filler ran; our artwork was late"
    )
    assert (disputed.status, disputed.reviewed_by) == ("disputed", "approver")

    # When CMO staff propose again, then the client approves
    again = propose(staff, "PO-1", "2", code="CLI-ARTWORK", comment="Artwork approval late")
    assert again.pk == cause.pk
    assert (again.status, again.code_id, again.comment) == (
        "proposed",
        "CLI-ARTWORK",
        "Artwork approval late",
    )
    assert (again.reviewed_by, again.reviewed_at, again.review_comment) == ("", None, "")
    approve_root_cause(root_cause=again, user=approver, comment="Agreed")

    # Then the history has every step, oldest first, with its user and reason
    records = list(RootCause.objects.get(pk=cause.pk).history.all())[::-1]
    assert [(r.history_type, r.history_change_reason, r.history_user) for r in records] == [
        ("+", "proposed", staff),
        ("~", "disputed", approver),
        ("~", "proposed again", staff),
        ("~", "approved", approver),
    ]
    assert [r.status for r in records] == ["proposed", "disputed", "proposed", "approved"]

    def changes(new, old):
        delta = new.diff_against(old, excluded_fields=["reviewed_at", "proposed_at"])
        return {c.field: (c.old, c.new) for c in delta.changes}

    proposed, disputed_rec, proposed_again, approved = records
    assert changes(disputed_rec, proposed) == {
        "status": ("proposed", "disputed"),
        "reviewed_by": ("", "approver"),
        "review_comment": ("", "Filler ran; our artwork was late"),
    }
    assert proposed.reviewed_at is None and disputed_rec.reviewed_at is not None
    assert changes(proposed_again, disputed_rec) == {
        "code": ("MFG-EQUIPMENT", "CLI-ARTWORK"),
        "status": ("disputed", "proposed"),
        "comment": ("Filler broke down", "Artwork approval late"),
        "reviewed_by": ("approver", ""),
        "review_comment": ("Filler ran; our artwork was late", ""),
    }
    assert proposed_again.reviewed_at is None
    assert proposed_again.proposed_at > proposed.proposed_at
    assert changes(approved, proposed_again) == {
        "status": ("proposed", "approved"),
        "reviewed_by": ("", "approver"),
        "review_comment": ("", "Agreed"),
    }
    assert monthly(acme_data, MARCH)["net_otif"] == 2


@pytest.mark.parametrize("first", ["approve", "dispute"])
def test_only_a_proposed_cause_can_be_reviewed(acme_data, people, first):
    approver = people["approver"]
    cause = propose(people["staff"], "PO-2", code="CLI-POSTPONE")
    if first == "approve":
        approve_root_cause(root_cause=cause, user=approver)
    else:
        dispute_root_cause(root_cause=cause, user=approver, comment="We never asked")
    state_after_first = RootCause.objects.get(pk=cause.pk).status
    figures = monthly(acme_data, MARCH)

    with pytest.raises(WorkflowError, match="only a proposed one can be approved"):
        approve_root_cause(root_cause=cause, user=approver)
    with pytest.raises(WorkflowError, match="only a proposed one can be disputed"):
        dispute_root_cause(root_cause=cause, user=approver, comment="Changed my mind")

    assert RootCause.objects.get(pk=cause.pk).status == state_after_first
    assert cause.history.count() == 2
    assert monthly(acme_data, MARCH) == figures


@pytest.mark.parametrize("who", ["viewer", "staff", "admin", "other_approver", "other_staff"])
def test_only_the_clients_approver_may_review(acme_data, people, who):
    cause = propose(people["staff"], "PO-2", code="CLI-ARTWORK")

    with pytest.raises(NotAllowed):
        approve_root_cause(root_cause=cause, user=people[who])
    with pytest.raises(NotAllowed):
        dispute_root_cause(root_cause=cause, user=people[who], comment="No")

    assert RootCause.objects.get(pk=cause.pk).status == RootCauseStatus.PROPOSED
    assert monthly(acme_data, MARCH) == ACME_MARCH


def test_an_approved_cause_cannot_be_proposed_again(acme_data, people):
    cause = propose(people["staff"], "PO-2", code="CLI-ARTWORK")
    approve_root_cause(root_cause=cause, user=people["approver"])

    with pytest.raises(WorkflowError, match="has approved"):
        propose(people["staff"], "PO-2", code="MFG-PROCESS")

    stored = RootCause.objects.get(pk=cause.pk)
    assert (stored.status, stored.code_id) == ("approved", "CLI-ARTWORK")
    assert monthly(acme_data, MARCH)["net_otif"] == 2


def test_months_rebuilt_after_reviews_equal_a_full_recomputation(acme_data, people):
    # Reviews rebuild only the months of their lines from the stored outcomes; the result
    # must be what evaluating the whole client again gives.
    staff, approver = people["staff"], people["approver"]
    approve_root_cause(root_cause=propose(staff, "PO-1", "2", code="CLI-ARTWORK"), user=approver)
    approve_root_cause(root_cause=propose(staff, "PO-3", code="QC-DEVIATION"), user=approver)
    dispute_root_cause(root_cause=propose(staff, "PO-4", "2"), user=approver, comment="No")

    def snapshot():
        otif = MonthlyOtif.objects.values_list(
            "site", "product", "period", "lines", "otif", "net_on_time", "net_in_full", "net_otif"
        )
        failures = MonthlyFailure.objects.values_list(
            "site", "product", "period", "area", "code", "status", "lines", "excused"
        )
        return sorted(otif), sorted(failures, key=str)

    partial = snapshot()
    refresh_outcomes(client=acme_data, trigger="test")
    assert snapshot() == partial
    assert monthly(acme_data, MARCH)["net_otif"] == 2
    assert monthly(acme_data, APRIL)["net_otif"] == 1


# --- bulk proposal ---------------------------------------------------------------------------


def test_bulk_proposal_updates_open_causes_and_skips_approved_ones(acme_data, people):
    staff, approver = people["staff"], people["approver"]
    # Given PO-1/2 with an approved client cause and PO-2/1 with a disputed one
    approve_root_cause(root_cause=propose(staff, "PO-1", "2", code="CLI-ARTWORK"), user=approver)
    dispute_root_cause(
        root_cause=propose(staff, "PO-2", code="MAT-SHORTAGE"), user=approver, comment="No"
    )
    failed = [line("PO-1", "2"), line("PO-2"), line("PO-3"), line("PO-4", "2")]

    # When CMO staff propose one cause for all four failed lines
    count = propose_root_causes(
        client=acme_data,
        line_ids=[x.pk for x in failed],
        code="SHP-TRANSPORT",
        comment="Truck not booked",
        user=staff,
    )

    # Then the approved cause is left as it is and counted; the other three are proposed
    assert count == ProposalCount(proposed=3, skipped_approved=1)
    causes = {
        (rc.line.order.number, rc.line.line_number): (rc.code_id, rc.status, rc.reviewed_by)
        for rc in RootCause.objects.select_related("line__order")
    }
    assert causes == {
        ("PO-1", "2"): ("CLI-ARTWORK", "approved", "approver"),
        ("PO-2", "1"): ("SHP-TRANSPORT", "proposed", ""),
        ("PO-3", "1"): ("SHP-TRANSPORT", "proposed", ""),
        ("PO-4", "2"): ("SHP-TRANSPORT", "proposed", ""),
    }
    reasons = {
        order: [r.history_change_reason for r in RootCause.objects.get(line=x).history.all()]
        for order, x in (("PO-1/2", failed[0]), ("PO-2/1", failed[1]), ("PO-3/1", failed[2]))
    }
    assert reasons == {
        "PO-1/2": ["approved", "proposed"],
        "PO-2/1": ["proposed again", "disputed", "proposed"],
        "PO-3/1": ["proposed"],
    }
    assert failure_rows(acme_data, MARCH) == {
        ("client", "CLI-ARTWORK", "approved", 1, 1),
        ("shipping", "SHP-TRANSPORT", "proposed", 2, 0),
    }
    assert failure_rows(acme_data, APRIL) == {("shipping", "SHP-TRANSPORT", "proposed", 1, 0)}
    assert monthly(acme_data, MARCH)["net_otif"] == 2


def test_bulk_approval_approves_proposed_causes_only_and_moves_net_otif(acme_data, people):
    staff, approver = people["staff"], people["approver"]
    # Given client causes proposed for PO-1/2 and PO-2/1, and a disputed one for PO-3/1
    propose(staff, "PO-1", "2", code="CLI-ARTWORK")
    propose(staff, "PO-2", code="CLI-ORDER-CHANGE")
    dispute_root_cause(
        root_cause=propose(staff, "PO-3", code="EXT-FORCE-MAJEURE"), user=approver, comment="No"
    )
    ids = [line("PO-1", "2").pk, line("PO-2").pk, line("PO-3").pk]

    # When the approver approves the three lines at once
    approved = approve_root_causes(client=acme_data, line_ids=ids, user=approver, comment="Agreed")

    # Then the two proposed causes are approved (the disputed one is left) and net OTIF in
    # March rises from 1 to 3 of 4 lines, gross staying at 1
    assert approved == 2
    statuses = dict(
        RootCause.objects.values_list("line__order__number", "status").order_by("line__order")
    )
    assert statuses == {"PO-1": "approved", "PO-2": "approved", "PO-3": "disputed"}
    assert monthly(acme_data, MARCH) == {**ACME_MARCH, "net_otif": 3}
    history = RootCause.objects.get(line=line("PO-2")).history.first()
    assert (history.history_change_reason, history.history_user, history.review_comment) == (
        "approved",
        approver,
        "Agreed",
    )


@pytest.mark.parametrize("who", ["viewer", "staff", "other_approver"])
def test_only_the_clients_approver_may_approve_in_bulk(acme_data, people, who):
    propose(people["staff"], "PO-2", code="CLI-ORDER-CHANGE")
    with pytest.raises(NotAllowed):
        approve_root_causes(client=acme_data, line_ids=[line("PO-2").pk], user=people[who])
    assert RootCause.objects.get().status == "proposed"


def test_bulk_proposal_with_a_line_of_another_client_writes_nothing(acme_data, globex_data, people):
    ids = [line("PO-2").pk, line("PO-3").pk, line("PG-1", "2").pk]
    before = sorted(MonthlyFailure.objects.values_list("client", "period", "area", "lines"))

    with pytest.raises(WorkflowError, match="do not exist"):
        propose_root_causes(
            client=acme_data, line_ids=ids, code="MFG-PROCESS", comment="x", user=people["staff"]
        )

    assert not RootCause.objects.exists()
    assert not RootCause.history.exists()
    assert sorted(MonthlyFailure.objects.values_list("client", "period", "area", "lines")) == before


def test_bulk_proposal_with_a_line_that_did_not_fail_writes_nothing(acme_data, people):
    ids = [line("PO-2").pk, line("PO-1", "1").pk]

    with pytest.raises(WorkflowError, match="1 of the 2 lines did not fail"):
        propose_root_causes(
            client=acme_data, line_ids=ids, code="MFG-PROCESS", comment="x", user=people["staff"]
        )

    assert not RootCause.objects.exists()


# --- manual exclusion ------------------------------------------------------------------------


def test_admin_exclusion_takes_the_line_out_of_the_monthly_figures(acme_data, people):
    admin = people["admin"]
    short = line("PO-2")

    set_line_exclusion(line=short, reason="  Duplicate of PO-7  ", user=admin)

    outcome = LineOutcome.objects.get(line=short)
    assert (outcome.state, outcome.exclusion, outcome.otif) == ("excluded", "manual", None)
    assert line("PO-2").manual_exclusion == "Duplicate of PO-7"
    # March: 3 measured lines (PO-1/1 OTIF, PO-1/2 late, PO-3/1 not delivered), 1 excluded.
    assert monthly(acme_data, MARCH) == {
        "lines": 3,
        "on_time": 1,
        "in_full": 2,
        "otif": 1,
        "net_otif": 1,
        "excluded": 1,
    }
    assert failure_rows(acme_data, MARCH) == {("unclassified", None, "unclassified", 2, 0)}
    (record,) = short.history.all()
    assert (record.history_user, record.history_change_reason, record.manual_exclusion) == (
        admin,
        "excluded",
        "Duplicate of PO-7",
    )


def test_reincluded_line_counts_again_and_both_steps_are_in_its_history(acme_data, people):
    admin = people["admin"]
    set_line_exclusion(line=line("PO-2"), reason="Duplicate of PO-7", user=admin)

    set_line_exclusion(line=line("PO-2"), reason=None, user=admin)

    outcome = LineOutcome.objects.get(line=line("PO-2"))
    assert (outcome.state, outcome.exclusion, outcome.failure_kind) == ("measured", None, "short")
    assert monthly(acme_data, MARCH) == ACME_MARCH
    assert failure_rows(acme_data, MARCH) == UNCLASSIFIED_MARCH
    history = list(line("PO-2").history.all())
    assert [(r.history_change_reason, r.manual_exclusion, r.history_user) for r in history] == [
        ("included again", None, admin),
        ("excluded", "Duplicate of PO-7", admin),
    ]


def test_exclusion_needs_a_reason(acme_data, people):
    for empty in ("", "   "):
        with pytest.raises(WorkflowError, match="Give the reason"):
            set_line_exclusion(line=line("PO-2"), reason=empty, user=people["admin"])
    assert line("PO-2").manual_exclusion is None
    assert LineOutcome.objects.get(line=line("PO-2")).state == "measured"
    assert not line("PO-2").history.exists()


@pytest.mark.parametrize("who", ["staff", "approver", "viewer"])
def test_only_a_cmo_admin_may_exclude_a_line(acme_data, people, who):
    with pytest.raises(NotAllowed):
        set_line_exclusion(line=line("PO-2"), reason="Duplicate", user=people[who])
    assert line("PO-2").manual_exclusion is None
    assert monthly(acme_data, MARCH) == ACME_MARCH
