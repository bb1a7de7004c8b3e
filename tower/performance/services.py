"""Writes for OTIF: definition versions and keeping materialised outcomes current.

Keyword-only functions that take the acting user (or the CLI's operator name); the CLI, the web
app and the demo all call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tower.agreements import services as agreements
from tower.agreements.models import OtifDefinitionVersion
from tower.agreements.queries import current_definition
from tower.bulk import delete_where_in, insert_frame, read_frame
from tower.engine import evaluate
from tower.engine.otif import DELAY_CLASSES, FAILURE_KINDS, OUTCOME_SCHEMA
from tower.engine.periods import add_months
from tower.engine.scorecard import shipment_flags
from tower.jobs.services import PROJECT_OPEN_LINES, queue_refresh
from tower.masterdata.models import RootCauseCode
from tower.orders.models import OrderLine
from tower.performance.attribution import attribute_stock_outs
from tower.performance.frozen import freeze as freeze_records
from tower.performance.models import (
    DELAY_COLUMNS,
    ClosedMonthlyFailure,
    ClosedMonthlyOtif,
    LineOutcome,
    MonthClose,
    MonthlyFailure,
    MonthlyOtif,
    MonthlyShipping,
    OutcomeRefresh,
    RootCause,
    RootCauseStatus,
)
from tower.performance.queries import (
    engine_inputs,
    latest_refresh,
    line_places,
    root_causes,
    stored_outcomes,
    with_dimensions,
)
from tower.tenancy.locks import lock_clients
from tower.tenancy.models import Client, Role
from tower.tenancy.scoping import CMO_ADMIN, CMO_ROLES, require_role
from tower.workflow import WorkflowError, audit_as

# Stored per line; the rest of the engine's output is derivable from the line itself.
STORED_OUTCOME_COLUMNS = [
    c for c in OUTCOME_SCHEMA if c not in ("order_key", "ordered_qty", "line_value")
]


@dataclass(frozen=True)
class RefreshResult:
    client: str
    as_of: dt.date
    definition_version: int
    lines: int
    outcomes_written: int
    monthly_rows: int


@transaction.atomic
def set_definition(
    *, client: Client, parameters: dict[str, Any], actor: str, note: str = ""
) -> OtifDefinitionVersion:
    """Create the next version of a client's OTIF definition and recompute its outcomes.

    Raises tower.engine.DefinitionError (nothing written) when a parameter is invalid.
    """
    version = agreements.add_definition_version(
        client=client, parameters=parameters, actor=actor, note=note
    )
    refresh_outcomes(client=client, trigger="definition")
    queue_refresh(kind=PROJECT_OPEN_LINES, client=client, because="a new OTIF definition")
    return version


@transaction.atomic
def refresh_outcomes(
    *,
    client: Client,
    trigger: str,
    as_of: dt.date | None = None,
    inputs: tuple[pl.DataFrame, pl.DataFrame] | None = None,
) -> RefreshResult:
    """Evaluate all of a client's lines and store what changed; rebuild its monthly figures.

    The evaluation is columnar and whole-client (cheap); writes touch only lines whose outcome
    changed. `inputs` are the client's lines and deliveries in the engine's input schema when
    the caller already holds them (an import), otherwise they are read from the database.
    """
    # One refresh of a client at a time: it deletes and re-inserts the client's rows.
    lock_clients([client.code])
    as_of = as_of or timezone.localdate()
    version, definition = current_definition(client)
    lines, deliveries = inputs if inputs is not None else engine_inputs(client)
    outcomes = evaluate(lines, deliveries, definition, as_of)

    fresh = outcomes.select(STORED_OUTCOME_COLUMNS).with_columns(
        pl.lit(client.pk, dtype=pl.Int64).alias("client_id"),
        pl.lit(version, dtype=pl.Int64).alias("definition_version"),
    )
    written = _store_changed_outcomes(client, fresh)

    # Monthly rows need only each line's site and product, which came with the engine inputs.
    figures = with_dimensions(
        outcomes, lines.select("line_id", "site_id", "product_id"), root_causes(client)
    )
    monthly_rows = _write_monthly(client, figures, definition_version=version)

    OutcomeRefresh.objects.create(
        client=client,
        as_of=as_of,
        definition_version=version,
        trigger=trigger,
        lines=outcomes.height,
        outcomes_written=written,
    )
    refresh_shipping(client)
    # Stock-outs are attributed to failed lines: one explicit call, in the same transaction.
    attribute_stock_outs(client=client)
    return RefreshResult(client.code, as_of, version, outcomes.height, written, monthly_rows)


def refresh_shipping(client: Client) -> int:
    """Rebuild the client's MonthlyShipping rows from its deliveries (ship on planned date).

    The database groups deliveries by their dates first, so Python sees one row per distinct
    (site, product, shipped date, planned ship date), not one per delivery.
    """
    grouped = read_frame(
        """SELECT l.site_id, l.product_id, d.shipped_date, l.planned_ship_date, COUNT(*)
           FROM orders_delivery d JOIN orders_orderline l ON l.id = d.line_id
           WHERE d.client_id = %s AND d.shipped_date IS NOT NULL
           GROUP BY l.site_id, l.product_id, d.shipped_date, l.planned_ship_date""",
        [client.pk],
        schema={
            "site_id": pl.Int64,
            "product_id": pl.Int64,
            "shipped_date": pl.Date,
            "planned_ship_date": pl.Date,
            "deliveries": pl.Int64,
        },
    )
    monthly = (
        shipment_flags(grouped)
        .group_by(
            "site_id", "product_id", pl.col("shipped_date").dt.truncate("1mo").alias("period")
        )
        .agg(
            pl.col("deliveries").sum().alias("shipped"),
            pl.col("deliveries").filter(pl.col("counts")).sum().alias("on_plan"),
            pl.col("deliveries").filter(pl.col("counts").is_null()).sum().alias("unplanned"),
        )
        .with_columns(pl.lit(client.pk, pl.Int64).alias("client_id"))
        .sort("period", "product_id", "site_id")
    )
    MonthlyShipping.objects.filter(client=client).delete()
    return insert_frame(MonthlyShipping._meta.db_table, monthly)


@transaction.atomic
def refresh_monthly(
    *, client: Client, periods: Iterable[dt.date], products: Iterable[int] | None = None
) -> int:
    """Rebuild the monthly figures of some months (and products) from the stored outcomes.

    Used after root-cause changes, which move net OTIF and the failure breakdown but no line's
    outcome: only the months and products of the lines concerned are read and rewritten (with
    a million lines, one product-month is a few dozen lines, a whole month tens of thousands).
    """
    periods = sorted(set(periods))
    products = sorted(set(products)) if products is not None else None
    if not periods or products == []:
        return 0
    lock_clients([client.code])
    version, _ = current_definition(client)
    outcomes = stored_outcomes(client, periods=periods, products=products)
    figures = with_dimensions(
        outcomes,
        line_places(client, periods=periods, products=products),
        root_causes(client, periods=periods),
    )
    return _write_monthly(
        client, figures, definition_version=version, periods=periods, products=products
    )


def _write_monthly(
    client: Client,
    figures: pl.DataFrame,
    *,
    definition_version: int,
    periods: list[dt.date] | None = None,
    products: list[int] | None = None,
) -> int:
    """Replace a client's MonthlyOtif and MonthlyFailure rows (of `periods` and `products`, or
    all)."""
    monthly = monthly_figures(figures, client_id=client.pk, definition_version=definition_version)
    failures = monthly_failures(figures, client_id=client.pk)
    for model, frame in ((MonthlyOtif, monthly), (MonthlyFailure, failures)):
        rows = model.objects.filter(client=client)
        if periods is not None:
            rows = rows.filter(period__in=periods)
        if products is not None:
            rows = rows.filter(product_id__in=products)
        rows.delete()
        insert_frame(model._meta.db_table, frame)
    return monthly.height


def _store_changed_outcomes(client: Client, fresh: pl.DataFrame) -> int:
    table = LineOutcome._meta.db_table
    columns = fresh.columns
    stored = read_frame(
        f"SELECT {', '.join(columns)} FROM {table} WHERE client_id = %s",
        [client.pk],
        schema=dict(fresh.schema),
    )
    changed = fresh.join(stored, on=columns, how="anti", nulls_equal=True)
    if changed.is_empty():
        return 0
    if changed.height > stored.height // 2:
        LineOutcome.objects.filter(client=client).delete()
        insert_frame(table, fresh)
        return fresh.height
    replaced = changed.join(stored.select("line_id"), on="line_id", how="semi")
    delete_where_in(table, "line_id", replaced["line_id"].to_list())
    insert_frame(table, changed)
    return changed.height


def monthly_failures(figures: pl.DataFrame, *, client_id: int) -> pl.DataFrame:
    """Failed lines per site x product x month x root cause and status (the cascade's level 3)."""
    col = pl.col
    failed = (col("state") == "measured") & col("otif").not_()
    return (
        figures.filter(failed.fill_null(False) & col("period").is_not_null())
        .with_columns(col("root_cause_status").fill_null("unclassified").alias("status"))
        .group_by("site_id", "product_id", "period", "functional_area", "root_cause", "status")
        .agg(
            pl.len().cast(pl.Int64).alias("lines"),
            col("excused").sum().cast(pl.Int64).alias("excused"),
        )
        .rename({"functional_area": "area_id", "root_cause": "code_id"})
        .with_columns(pl.lit(client_id, dtype=pl.Int64).alias("client_id"))
        .sort("period", "site_id", "product_id", "area_id", "code_id", nulls_last=True)
    )


def monthly_figures(
    figures: pl.DataFrame, *, client_id: int, definition_version: int
) -> pl.DataFrame:
    """Monthly rows per site x product from outcomes joined with their dimensions."""
    col = pl.col
    measured = col("state") == "measured"
    net = (col("otif") | col("excused")).fill_null(False)

    def count(condition: pl.Expr) -> pl.Expr:
        return (condition & measured).fill_null(False).sum().cast(pl.Int64)

    def weigh(weight: pl.Expr, condition: pl.Expr | None = None) -> pl.Expr:
        keep = measured if condition is None else (measured & condition).fill_null(False)
        return pl.when(keep).then(weight).otherwise(0.0).sum()

    qty = col("ordered_qty")
    value = col("line_value").fill_null(0.0)
    return (
        figures.filter(col("period").is_not_null())
        .group_by("site_id", "product_id", "period")
        .agg(
            measured.sum().cast(pl.Int64).alias("lines"),
            count(col("on_time")).alias("on_time"),
            count(col("in_full")).alias("in_full"),
            count(col("otif")).alias("otif"),
            count(col("on_time") | col("excused")).alias("net_on_time"),
            count(col("in_full") | col("excused")).alias("net_in_full"),
            count(net).alias("net_otif"),
            (col("state") == "pending").sum().cast(pl.Int64).alias("pending"),
            (col("state") == "excluded").sum().cast(pl.Int64).alias("excluded"),
            count(col("due_fallback")).alias("due_fallback"),
            weigh(qty).alias("qty"),
            weigh(qty, col("on_time")).alias("qty_on_time"),
            weigh(qty, col("in_full")).alias("qty_in_full"),
            weigh(qty, col("otif")).alias("qty_otif"),
            weigh(pl.min_horizontal("delivered_qty", "ordered_qty")).alias("qty_delivered_capped"),
            weigh(value).alias("value"),
            weigh(value, col("on_time")).alias("value_on_time"),
            weigh(value, col("in_full")).alias("value_in_full"),
            weigh(value, col("otif")).alias("value_otif"),
            *(
                count(col("delay_class") == delay_class).alias(column)
                for delay_class, column in zip(DELAY_CLASSES, DELAY_COLUMNS, strict=True)
            ),
            *(count(col("failure_kind") == kind).alias(f"failed_{kind}") for kind in FAILURE_KINDS),
        )
        .with_columns(
            pl.lit(client_id, dtype=pl.Int64).alias("client_id"),
            pl.lit(definition_version, dtype=pl.Int64).alias("definition_version"),
        )
        .sort("period", "site_id", "product_id")
    )


# ---------------------------------------------------------------------------------------------
# The root-cause workflow (kpis.md 2): the CMO proposes, the client approves or disputes.


def failed_lines(lines: Iterable[OrderLine] | Iterable[int]) -> set[int]:
    """The ids among `lines` whose stored outcome is a measured failure."""
    ids = [line if isinstance(line, int) else line.pk for line in lines]
    return set(
        LineOutcome.objects.filter(line_id__in=ids, state="measured", otif=False).values_list(
            "line_id", flat=True
        )
    )


def _active_code(code: str) -> RootCauseCode:
    found = RootCauseCode.objects.filter(code=code, active=True).first()
    if found is None:
        raise WorkflowError(f"{code!r} is not an active root-cause code.")
    return found


@transaction.atomic
def propose_root_cause(
    *, line: OrderLine, code: str, comment: str, user, internal_note: str = ""
) -> RootCause:
    """CMO staff propose (or re-propose, after a dispute) the root cause of a failed line."""
    count = propose_root_causes(
        client=line.client,
        line_ids=[line.pk],
        code=code,
        comment=comment,
        internal_note=internal_note,
        user=user,
    )
    if count.skipped_approved:
        raise WorkflowError(
            "The client has approved this line's root cause; it can no longer be changed."
        )
    return RootCause.objects.get(line=line)


@dataclass(frozen=True)
class ProposalCount:
    proposed: int
    skipped_approved: int


@transaction.atomic
def propose_root_causes(
    *,
    client: Client,
    line_ids: Iterable[int],
    code: str,
    comment: str,
    user,
    internal_note: str = "",
) -> ProposalCount:
    """Propose one root cause for many failed lines of a client (the bulk action of the list).

    Every line must be a failed line of `client`; lines whose cause the client has already
    approved are left as they are and counted. Each change is recorded in the history.
    """
    require_role(user, client, CMO_ROLES, "propose root causes")
    # Locked before the first write, so an import or refresh of the client never waits on our
    # row locks while we wait on its client lock.
    lock_clients([client.code])
    rc_code = _active_code(code)
    ids = set(line_ids)
    owned = set(OrderLine.objects.filter(client=client, pk__in=ids).values_list("pk", flat=True))
    if owned != ids:
        raise WorkflowError("Some of the lines do not exist.")
    not_failed = ids - failed_lines(ids)
    if not_failed:
        what = "This line" if len(ids) == 1 else f"{len(not_failed)} of the {len(ids)} lines"
        raise WorkflowError(f"{what} did not fail OTIF; root causes are for failed lines only.")
    now = timezone.now()
    by = _username(user)
    existing = {rc.line_id: rc for rc in RootCause.objects.filter(line_id__in=ids)}
    approved = {i for i, rc in existing.items() if rc.status == RootCauseStatus.APPROVED}
    changed = [existing[i] for i in ids if i in existing and i not in approved]
    for cause in changed:
        cause.code = rc_code
        cause.status = RootCauseStatus.PROPOSED
        cause.comment = comment
        cause.internal_note = internal_note
        cause.proposed_by, cause.proposed_at = by, now
        cause.reviewed_by, cause.reviewed_at, cause.review_comment = "", None, ""
    new = [
        RootCause(
            client=client,
            line_id=i,
            code=rc_code,
            status=RootCauseStatus.PROPOSED,
            comment=comment,
            internal_note=internal_note,
            proposed_by=by,
            proposed_at=now,
        )
        for i in sorted(ids - set(existing))
    ]
    history_user = user if isinstance(user, get_user_model()) else None
    if new:
        bulk_create_with_history(
            new, RootCause, default_user=history_user, default_change_reason="proposed"
        )
    if changed:
        bulk_update_with_history(
            changed,
            RootCause,
            fields=[
                "code",
                "status",
                "comment",
                "internal_note",
                "proposed_by",
                "proposed_at",
                "reviewed_by",
                "reviewed_at",
                "review_comment",
            ],
            default_user=history_user,
            default_change_reason="proposed again",
        )
    _refresh_months_of(client, ids - approved)
    return ProposalCount(proposed=len(new) + len(changed), skipped_approved=len(approved))


@transaction.atomic
def approve_root_cause(*, root_cause: RootCause, user, comment: str = "") -> RootCause:
    """The client approves a proposed root cause; net OTIF then uses it (kpis.md 2)."""
    return _review(root_cause, user, RootCauseStatus.APPROVED, comment)


@transaction.atomic
def dispute_root_cause(*, root_cause: RootCause, user, comment: str) -> RootCause:
    """The client disputes a proposed root cause: it returns to the CMO with the reason."""
    if not comment.strip():
        raise WorkflowError("Say why you dispute this root cause: the CMO needs the reason.")
    return _review(root_cause, user, RootCauseStatus.DISPUTED, comment)


@transaction.atomic
def approve_root_causes(*, client: Client, line_ids: Iterable[int], user, comment: str = "") -> int:
    """The client approves the proposed root causes of many lines at once (the list's bulk step).

    Lines whose cause is not (or no longer) proposed are left as they are; returns how many were
    approved. Disputes stay one at a time: each needs its own reason.
    """
    require_role(user, client, frozenset({Role.CLIENT_APPROVER}), "approve root causes")
    lock_clients([client.code])
    causes = list(
        RootCause.objects.select_for_update().filter(
            client=client, line_id__in=list(line_ids), status=RootCauseStatus.PROPOSED
        )
    )
    now = timezone.now()
    for cause in causes:
        cause.status = RootCauseStatus.APPROVED
        cause.reviewed_by, cause.reviewed_at = _username(user), now
        cause.review_comment = comment.strip()
    if causes:
        bulk_update_with_history(
            causes,
            RootCause,
            fields=["status", "reviewed_by", "reviewed_at", "review_comment"],
            default_user=user if isinstance(user, get_user_model()) else None,
            default_change_reason="approved",
        )
        _refresh_months_of(client, {cause.line_id for cause in causes})
    return len(causes)


def _review(root_cause: RootCause, user, status: str, comment: str) -> RootCause:
    verb = "approve" if status == RootCauseStatus.APPROVED else "dispute"
    require_role(user, root_cause.client, frozenset({Role.CLIENT_APPROVER}), f"{verb} root causes")
    lock_clients([root_cause.client.code])
    locked = RootCause.objects.select_for_update().get(pk=root_cause.pk)
    if locked.status != RootCauseStatus.PROPOSED:
        raise WorkflowError(
            f"This root cause is {locked.get_status_display().lower()}; only a proposed one "
            f"can be {verb}d."
        )
    locked.status = status
    locked.reviewed_by = _username(user)
    locked.reviewed_at = timezone.now()
    locked.review_comment = comment.strip()
    audit_as(locked, user, f"{verb}d")
    locked.save()
    _refresh_months_of(locked.client, {locked.line_id})
    return locked


# Who may correct an approved cause: the approval is an agreement of both sides, so either
# side's authority may withdraw it, the client approver who gave it or a CMO admin (never CMO
# staff, who propose). The reason is kept and shown to both sides on the line page.
REOPENERS = frozenset({CMO_ADMIN, Role.CLIENT_APPROVER})


@transaction.atomic
def reopen_root_cause(*, cause: RootCause, by, reason: str) -> RootCause:
    """Correct an approved root cause: it goes back to proposed, with the reason kept.

    The code and comment stay as the CMO proposed them, so the client can approve again or
    dispute, and CMO staff can propose another code. Net OTIF, the failure breakdown and the
    stock-out attribution no longer count the approval. A closed month's snapshot is not
    touched: its page then says that newer figures exist.
    """
    require_role(by, cause.client, REOPENERS, "reopen approved root causes")
    reason = reason.strip()
    if not reason:
        raise WorkflowError("Give the reason for reopening this root cause; both sides see it.")
    lock_clients([cause.client.code])  # before the row lock, like every writer of the client
    locked = RootCause.objects.select_for_update().get(pk=cause.pk)
    if locked.status != RootCauseStatus.APPROVED:
        raise WorkflowError(
            f"This root cause is {locked.get_status_display().lower()}; only an approved one "
            "can be reopened."
        )
    locked.status = RootCauseStatus.PROPOSED
    locked.reopened_by = _username(by)
    locked.reopened_at = timezone.now()
    locked.reopen_reason = reason
    locked.reviewed_by, locked.reviewed_at, locked.review_comment = "", None, ""
    audit_as(locked, by, "reopened")
    locked.save()
    _refresh_months_of(locked.client, {locked.line_id})
    return locked


def _refresh_months_of(client: Client, line_ids: Iterable[int]) -> None:
    """Rebuild the monthly figures of the months and products of some lines."""
    places = LineOutcome.objects.filter(line_id__in=list(line_ids), period__isnull=False)
    pairs = set(places.values_list("period", "line__product_id"))
    refresh_monthly(
        client=client,
        periods={period for period, _ in pairs},
        products={product for _, product in pairs},
    )
    # A root cause decides whether a failed line makes its stock-outs CMO-caused.
    attribute_stock_outs(client=client)


def _username(user) -> str:
    return getattr(user, "username", str(user))


# ---------------------------------------------------------------------------------------------
# Manual exclusion of a line (kpis.md 1: "excluded by hand, with a reason that is kept").


@transaction.atomic
def set_line_exclusion(*, line: OrderLine, reason: str | None, user) -> OrderLine:
    """Exclude a line from OTIF by hand with a reason, or include it again (reason None).

    CMO admins only; the change is audited and the client's outcomes are recomputed.
    """
    require_role(user, line.client, frozenset({CMO_ADMIN}), "exclude lines")
    lock_clients([line.client.code])
    reason = reason.strip() if reason is not None else None
    if reason == "":
        raise WorkflowError("Give the reason for excluding this line; it is kept and shown.")
    if line.manual_exclusion == reason:
        return line
    line.manual_exclusion = reason
    audit_as(line, user, "excluded" if reason else "included again")
    line.save(update_fields=["manual_exclusion"])
    refresh_outcomes(client=line.client, trigger="exclusion")
    queue_refresh(kind=PROJECT_OPEN_LINES, client=line.client, because="an exclusion")
    return line


# ---------------------------------------------------------------------------------------------
# Month close (design: "a closed month's figures do not change silently").


def closed_month(client: Client, period: dt.date) -> MonthClose | None:
    return MonthClose.objects.filter(client=client, period=period, reopened_at__isnull=True).first()


# A failure is unresolved while its root cause is not approved: net OTIF still counts it against
# the CMO, so a month closed with such failures freezes figures that may still move.
UNRESOLVED = ("unclassified", "proposed", "disputed")


@dataclass(frozen=True)
class CloseCheck:
    """What closing a month would freeze that is not settled, shown before the close.

    `unresolved`: failed lines of the month per root-cause state (unclassified, proposed,
    disputed); `open_before`: finished months before it that are still open although closing
    had already reached them (the client's first closed month starts the sequence).
    """

    period: dt.date
    unresolved: dict[str, int]
    open_before: list[dt.date]

    @property
    def unresolved_total(self) -> int:
        return sum(self.unresolved.values())


def close_check(client: Client, period: dt.date) -> CloseCheck:
    """The unresolved failures of a month (live figures) and the open months closing skips.

    Closing runs month after month from the client's first close on (its earliest closed
    month, even if reopened since): a month of that run left open is "open before". Months
    before the first close are not asked about, so a client can start closing at any month.
    """
    period = period.replace(day=1)
    counts = dict.fromkeys(UNRESOLVED, 0)
    rows = MonthlyFailure.objects.filter(client=client, period=period, status__in=UNRESOLVED)
    for status, lines in rows.values_list("status", "lines"):
        counts[status] += lines
    first = (
        MonthClose.objects.filter(client=client, period__lt=period)
        .order_by("period")
        .values_list("period", flat=True)
        .first()
    )
    open_before = []
    if first is not None:
        closed = set(
            MonthClose.objects.filter(
                client=client, period__gte=first, period__lt=period, reopened_at__isnull=True
            ).values_list("period", flat=True)
        )
        month = first
        while month < period:
            if month not in closed:
                open_before.append(month)
            month = add_months(month, 1)
    return CloseCheck(period, counts, open_before)


def refuse_unconfirmed(check: CloseCheck, *, note: str, out_of_order: bool) -> None:
    """WorkflowError unless the close confirms what `check` found: out of order, unresolved."""
    period = check.period
    if check.open_before and not out_of_order:
        months = ", ".join(f"{m:%B %Y}" for m in check.open_before)
        raise WorkflowError(
            f"{months} {'is' if len(check.open_before) == 1 else 'are'} still open: close "
            f"{'it' if len(check.open_before) == 1 else 'them'} first, or confirm that "
            f"{period:%B %Y} is closed out of order."
        )
    if check.unresolved_total and not note.strip():
        what = ", ".join(f"{n} {state}" for state, n in check.unresolved.items() if n)
        raise WorkflowError(
            f"{period:%B %Y} has {check.unresolved_total} failed lines without an approved root "
            f"cause ({what}): confirm the close with a note saying why it closes with them."
        )


def check_closable(client: Client, period: dt.date) -> None:
    """The quick refusals of closing a month (WorkflowError), checked again by close_month; the
    web app checks them before queueing the close so the user hears at once."""
    period = period.replace(day=1)
    if add_months(period, 1) > timezone.localdate():
        raise WorkflowError(f"{period:%B %Y} has not ended yet; a month is closed once it is over.")
    if closed_month(client, period) is not None:
        raise WorkflowError(f"{period:%B %Y} is already closed.")


@transaction.atomic
def close_month(
    *,
    client: Client,
    period: dt.date,
    user,
    note: str = "",
    out_of_order: bool = False,
) -> MonthClose:
    """Freeze a client's figures of one finished month in a snapshot naming the definition.

    The client's outcomes are first brought up to today when they are not already (the close
    date is the month's as-of date), then its live monthly rows are copied set-based into the
    snapshot tables, and the records its other KPIs read are frozen (tower.performance.frozen).
    The rules, the same for the page, the CLI and a background job:
    - a month with unresolved failures (unclassified, proposed or disputed) closes only with a
      note, the confirmation that it is closed with them; their counts are kept with the close;
    - a month whose earlier months (from the client's first close on) are still open closes
      only with `out_of_order`; the months left open are kept with the close.
    """
    require_role(user, client, frozenset({CMO_ADMIN}), "close months")
    lock_clients([client.code])
    period = period.replace(day=1)
    today = timezone.localdate()
    check_closable(client, period)
    version, _ = current_definition(client)
    latest = latest_refresh(client)
    # Every change of data, definition or exclusion refreshes the outcomes, so a refresh as of
    # today with the definition in force means they are current; otherwise bring them up to date.
    if latest is None or latest.as_of != today or latest.definition_version != version:
        version = refresh_outcomes(client=client, trigger="close", as_of=today).definition_version
    check = close_check(client, period)
    note = note.strip()
    refuse_unconfirmed(check, note=note, out_of_order=out_of_order)
    close = MonthClose(
        client=client,
        period=period,
        definition_version=version,
        as_of=today,
        closed_at=timezone.now(),
        closed_by=_username(user),
        note=note,
        unresolved={k: v for k, v in check.unresolved.items() if v},
        open_before=[f"{m:%Y-%m}" for m in check.open_before],
    )
    audit_as(close, user, "closed out of order" if check.open_before else "closed")
    close.save()
    for live, frozen in ((MonthlyOtif, ClosedMonthlyOtif), (MonthlyFailure, ClosedMonthlyFailure)):
        _copy_rows(live, frozen, close)
    # The records the month's other KPIs read (function, quality, stock-out): frozen too.
    freeze_records(close)
    return close


def _copy_rows(live, frozen, close: MonthClose) -> None:
    columns = [
        f.column
        for f in live._meta.concrete_fields
        if not f.primary_key and f.column in {g.column for g in frozen._meta.concrete_fields}
    ]
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {frozen._meta.db_table} ({names}, close_id) "
            f"SELECT {names}, %s FROM {live._meta.db_table} WHERE client_id = %s AND period = %s",
            [close.pk, close.client_id, close.period],
        )


@transaction.atomic
def reopen_month(*, close: MonthClose, user, reason: str) -> MonthClose:
    """Reopen a closed month: its live figures count again. The snapshot is kept with the close."""
    require_role(user, close.client, frozenset({CMO_ADMIN}), "reopen months")
    lock_clients([close.client.code])
    if not reason.strip():
        raise WorkflowError("Give the reason for reopening the month; it is kept in the history.")
    locked = MonthClose.objects.select_for_update().get(pk=close.pk)
    if locked.reopened_at is not None:
        raise WorkflowError(f"{locked.period:%B %Y} is not closed.")
    locked.reopened_at = timezone.now()
    locked.reopened_by = _username(user)
    locked.reopen_reason = reason.strip()
    audit_as(locked, user, "reopened")
    locked.save()
    return locked
