"""What the quarterly business review adds to the measured data (kpis.md 4 to 7).

Customer stock-outs and the order lines that caused them, the client's satisfaction survey, the
agreement's penalty terms and stock-out look-back, and the CMO's commentary for a scorecard
period (the actions agreed in a review live in the actions register: tower.actions, source
"review"). Periods are written as keys: "2026Q3" for a quarter, "2026-07" for a month
(tower.engine.periods.parse_period).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from tower.tenancy.models import Client
from tower.tenancy.scoping import ClientOwnedQuerySet

RATING = [MinValueValidator(1), MaxValueValidator(5)]


class SurveyResponse(models.Model):
    """One client user's quarterly satisfaction survey (ratings 1 to 5)."""

    QUESTIONS = {
        "delivery_reliability": "Delivery reliability",
        "communication": "Communication",
        "quality": "Quality",
        "responsiveness": "Responsiveness",
        "overall": "Overall satisfaction",
    }

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="survey_responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7, help_text="The quarter, e.g. 2026Q3")
    delivery_reliability = models.PositiveSmallIntegerField(validators=RATING)
    communication = models.PositiveSmallIntegerField(validators=RATING)
    quality = models.PositiveSmallIntegerField(validators=RATING)
    responsiveness = models.PositiveSmallIntegerField(validators=RATING)
    overall = models.PositiveSmallIntegerField(validators=RATING)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now=True)

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "period", "user"], name="one_survey_per_user_quarter"
            )
        ]

    def ratings(self) -> list[int]:
        return [getattr(self, q) for q in self.QUESTIONS]


class KpiComment(models.Model):
    """The CMO's commentary on one KPI of a client's scorecard period."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="kpi_comments")
    period = models.CharField(max_length=7)
    kpi = models.CharField(max_length=40)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientOwnedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "period", "kpi"], name="one_comment_per_kpi_period"
            )
        ]
