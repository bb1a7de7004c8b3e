"""The projection of each open line (kpis.md 8), materialised per client.

Written only by tower.outlook.services.refresh_projection (after an import, a recompute, and
daily by the job worker): a client's rows are replaced whole, as of the refresh's date. Every
column of the engine's PROJECTION_SCHEMA is stored, milestones included, so the outlook page
and the line page draw the chain without evaluating anything.
"""

from django.db import models

from tower.engine.projection import MILESTONE_LABEL, MILESTONES, PLANNED_LATE
from tower.engine.root_causes import AREAS
from tower.orders.models import OrderLine
from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet

# The order of the at-risk list (most urgent first): a line that will cause a client stock-out,
# then late (most projected days first), then tight, then without plan or supply; on track last.
RANK_STOCK_OUT, RANK_LATE, RANK_TIGHT, RANK_UNPLANNED, RANK_ON_TRACK = range(5)
RISK_LABELS = {
    "late": "Late",
    "tight": "Tight",
    "on_track": "On track",
    "no_plan": "No plan",
    "no_supply": "No supply",
}
AREA_NAMES = {a.code: a.name for a in AREAS}


class LineProjection(models.Model):
    line = models.OneToOneField(
        OrderLine, on_delete=models.CASCADE, primary_key=True, related_name="projection"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    as_of = models.DateField()
    due_date = models.DateField()
    period = models.DateField()
    # The line is already measured (past its window, not complete): counted once, as measured,
    # in the projected OTIF.
    overdue = models.BooleanField()
    remaining_qty = models.FloatField()
    transit_days = models.PositiveSmallIntegerField()
    transit_from_lane = models.BooleanField()
    risk = models.CharField(max_length=10)
    rank = models.PositiveSmallIntegerField()
    # Within a rank: stock-out start, minus days late, or due date (days since 1970-01-01).
    rank_key = models.IntegerField()
    projected_date = models.DateField(null=True)
    projected_days_late = models.IntegerField(null=True)
    cause_milestone = models.CharField(max_length=20, null=True)
    cause_area = models.CharField(max_length=20, null=True)
    stock_out_from = models.DateField(null=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        indexes = [
            # The at-risk list, most urgent first, read a page at a time.
            models.Index(fields=["client", "rank", "rank_key", "line"], name="projection_urgency"),
            models.Index(fields=["client", "line"], name="projection_client_line"),
            # The page's counts by risk and cause area, and its list filtered by risk (and area)
            # counted and paged in the urgency order, read from the index alone.
            models.Index(
                fields=["client", "risk", "cause_area", "rank", "rank_key", "line"],
                name="projection_risk_area_rank",
            ),
            # The list filtered by cause area alone, and sorted by projected date or days late.
            models.Index(
                fields=["client", "cause_area", "rank", "rank_key", "line"], name="projection_area"
            ),
            models.Index(
                fields=["client", "projected_date", "rank", "line"], name="projection_projected"
            ),
            models.Index(
                fields=["client", "projected_days_late", "rank", "line"],
                name="projection_days_late",
            ),
            # Projected OTIF and the counts per month.
            models.Index(fields=["client", "period", "risk", "overdue"], name="projection_period"),
            # The daily board's lines due today and this week, in the outlook's order, read from
            # the index alone (through "projection_period" SQLite read every row of the month);
            # also the list sorted by due date.
            models.Index(
                fields=["client", "due_date", "rank", "rank_key", "line"], name="projection_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.risk}"

    @property
    def risk_label(self) -> str:
        return RISK_LABELS.get(self.risk, self.risk)

    @property
    def cause_label(self) -> str:
        if self.cause_milestone == PLANNED_LATE:
            return "Planned late"
        return MILESTONE_LABEL.get(self.cause_milestone or "", "")

    @property
    def cause_area_name(self) -> str:
        return AREA_NAMES.get(self.cause_area or "", self.cause_area or "")


for _m in MILESTONES:
    LineProjection.add_to_class(f"{_m}_planned", models.DateField(null=True))
    LineProjection.add_to_class(f"{_m}_actual", models.DateField(null=True))
    LineProjection.add_to_class(f"{_m}_projected", models.DateField(null=True))
    LineProjection.add_to_class(f"{_m}_slip", models.IntegerField(null=True))
