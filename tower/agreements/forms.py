"""Forms of the agreement pages: KPI targets, the agreement's terms, its penalty clauses, the
early-warning settings and the service agreement's team."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from tower.agreements.models import (
    EARLY_WARNING_DEFAULTS,
    MAX_EARLY_WARNING_DAYS,
    MAX_NAME,
    MAX_PHONE,
    MAX_TITLE,
    EarlyWarningSettings,
    PenaltyTerm,
    TeamFunction,
    TeamSide,
)
from tower.engine.kpi_catalogue import KPIS, Kpi
from tower.ingest.limits import MAX_NUMBER
from tower.web.forms import DATE_ERRORS, DateInput, Form, StepForm

# ---------------------------------------------------------------------------------------------
# Agreement terms


def target_bounds(kpi: Kpi) -> tuple[float, float]:
    """The values a target of this KPI can take. Counts (events, days) and rates have no
    natural top; the bound of every imported number keeps 1e308 out (tower.ingest.limits)."""
    if kpi.unit == "%":
        return 0.0, 100.0
    if kpi.unit == "of 5":
        return 1.0, 5.0
    return 0.0, MAX_NUMBER


class AgreementForm(StepForm):
    """Every KPI's target and amber band, the stock-out look-back and the currency, in one form.

    `current` holds each KPI's target and band in force (the agreement's or the default), so
    `changed_targets` can tell which rows the user really changed."""

    oos_lookback_days = forms.IntegerField(
        min_value=1,
        max_value=365,
        label="Stock-out look-back (days)",
        help_text="A failed line due this many days before a stock-out can have caused it.",
    )
    currency = forms.CharField(
        min_length=3,
        max_length=3,
        help_text="Three letters, e.g. EUR: the currency of the penalty terms.",
    )
    reason = forms.CharField(
        max_length=100,
        required=False,
        label="Reason for the change",
        help_text="Kept in the history of each target changed.",
    )

    def __init__(self, *args, current: dict[str, tuple[float, float]], **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        for kpi in KPIS:
            low, high = target_bounds(kpi)
            target, tolerance = current[kpi.code]
            self.fields[f"target_{kpi.code}"] = forms.FloatField(
                min_value=low,
                max_value=high,
                initial=target,
                label=f"{kpi.name}: target",
                widget=forms.NumberInput(attrs={"step": "any", "class": "kpi-input"}),
            )
            self.fields[f"tolerance_{kpi.code}"] = forms.FloatField(
                min_value=0,
                max_value=high,
                initial=tolerance,
                label=f"{kpi.name}: amber band",
                widget=forms.NumberInput(attrs={"step": "any", "class": "kpi-input"}),
            )

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if not currency.isascii() or not currency.isalpha():
            raise forms.ValidationError("Write the currency as a three-letter code, e.g. EUR.")
        return currency

    def changed_targets(self) -> list[tuple[Kpi, float, float]]:
        """(KPI, target, band) of the rows whose values differ from those in force."""
        changed = []
        for kpi in KPIS:
            target = self.cleaned_data[f"target_{kpi.code}"]
            tolerance = self.cleaned_data[f"tolerance_{kpi.code}"]
            if (target, tolerance) != self.current[kpi.code]:
                changed.append((kpi, target, tolerance))
        return changed


class PenaltyTermForm(Form):
    kind = forms.ChoiceField(choices=PenaltyTerm.Kind.choices, label="Penalty")
    rate = forms.FloatField(
        label="Rate",
        max_value=MAX_NUMBER,  # an amount per month beyond a trillion is a typo (or 1e308)
        help_text="Percent of the line value, or the amount per month in the agreement's currency.",
        widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
    )
    description = forms.CharField(
        max_length=300, required=False, help_text="Optional: the clause, e.g. “§ 12.3”."
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "penalty_%s")
        super().__init__(*args, **kwargs)


class EarlyWarningForm(Form):
    """The early-warning settings of kpis.md 8, whole days from 0 to 365, and the reason."""

    LABELS = {
        "production_days": "Production end after start (days)",
        "release_days": "QC release after production end (days)",
        "ship_days": "Ship after QC release (days)",
        "transit_days": "Default transit (days)",
        "tight_days": "Tight within (days)",
        "horizon_days": "Planning horizon (days)",
    }

    reason = forms.CharField(
        max_length=100,
        required=False,
        label="Reason for the change",
        help_text="Kept in the history of the agreement.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "early_%s")
        super().__init__(*args, **kwargs)
        fields = {}
        for name in EARLY_WARNING_DEFAULTS:
            model_field = EarlyWarningSettings._meta.get_field(name)
            fields[name] = forms.IntegerField(
                min_value=0,
                max_value=MAX_EARLY_WARNING_DAYS,
                label=self.LABELS[name],
                help_text=f"{model_field.help_text}. Default {EARLY_WARNING_DEFAULTS[name]}.",
            )
        # The settings first, the reason last.
        self.fields = {**fields, "reason": self.fields["reason"]}

    def values(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in EARLY_WARNING_DEFAULTS}


# ---------------------------------------------------------------------------------------------
# The service agreement's team


class TeamMemberForm(StepForm):
    """One person of the team. `sides` are the sides the user may change (the choice is
    hidden when there is one); `users` the sign-ins the person can be linked to."""

    side = forms.ChoiceField(choices=TeamSide.choices, label="Side")
    function = forms.ChoiceField(choices=TeamFunction.choices, label="Function")
    name = forms.CharField(max_length=MAX_NAME, label="Name")
    title = forms.CharField(
        max_length=MAX_TITLE,
        required=False,
        label="Job title",
        help_text="Optional, e.g. “Key account manager”.",
    )
    email = forms.EmailField(max_length=254, label="E-mail")
    phone = forms.CharField(
        max_length=MAX_PHONE,
        required=False,
        label="Phone",
        help_text="International format, e.g. +49 30 1234 5678; an extension as “ext 12”.",
    )
    deputy = forms.BooleanField(
        required=False,
        label="Deputy",
        help_text="Stands in for the function's lead on this side (the lead is listed first).",
    )
    linked_user = forms.ChoiceField(
        required=False,
        label="Sign-in",
        help_text="Optional: the person's user of the tower, so escalations and pages reach them.",
    )
    reason = forms.CharField(
        max_length=100,
        required=False,
        label="Reason for the change",
        help_text="Kept in the history of the agreement.",
    )

    def __init__(self, *args, sides: list[str], users: dict[str, list[tuple[int, str]]], **kwargs):
        kwargs.setdefault("auto_id", "team_%s")
        super().__init__(*args, **kwargs)
        self.fields["side"].choices = [(s, TeamSide(s).label) for s in sides]
        if len(sides) == 1:
            self.fields["side"].widget = forms.HiddenInput()
            self.fields["side"].initial = sides[0]
        self.fields["linked_user"].choices = [("", "— none —")] + [
            (f"{TeamSide(side).label} side", [(str(pk), username) for pk, username in people])
            for side, people in users.items()
            if people
        ]
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="off")

    def clean_linked_user(self):
        """The user chosen (whether they fit the side, the service checks), or None."""
        value = self.cleaned_data["linked_user"]
        return get_user_model().objects.filter(pk=value).first() if value else None


# ---------------------------------------------------------------------------------------------
# The quality agreement reference


class QualityAgreementForm(Form):
    """The quality agreement in force: document number, version and effective date, together."""

    number = forms.CharField(
        max_length=60,
        required=False,
        label="Document number",
        help_text="As written on the quality agreement, e.g. QA-ACME-001.",
    )
    version = forms.CharField(
        max_length=20, required=False, label="Version", help_text="e.g. 3 or 3.1."
    )
    effective_date = forms.DateField(
        required=False,
        widget=DateInput(),
        label="Effective date",
        help_text="The date this version took effect.",
        error_messages=DATE_ERRORS,
    )
    reason = forms.CharField(
        max_length=100,
        required=False,
        label="Reason for the change",
        help_text="Kept in the history of the agreement. Leave all three empty to remove it.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "qa_%s")
        super().__init__(*args, **kwargs)


class EscalationMatrixForm(Form):
    """The escalation matrix as rows of inputs (level 1 first); a row left empty ends it."""

    PARTS = {
        "cmo_member": "CMO team member",
        "cmo_person": "CMO person",
        "cmo_role": "CMO role",
        "cmo_email": "CMO e-mail",
        "client_member": "Client team member",
        "client_person": "Client person",
        "client_role": "Client role",
        "client_email": "Client e-mail",
        "response_hours": "Response time (business hours)",
        "site": "Calendar of site",
    }

    def __init__(self, *args, sites=(), members=(), rows: int = 6, **kwargs):
        from django import forms

        super().__init__(*args, **kwargs)
        self.rows = rows
        for n in range(1, rows + 1):
            for name, label in self.PARTS.items():
                key = f"level{n}_{name}"
                if name.endswith("_member"):
                    side = name.removesuffix("_member")
                    field = forms.ChoiceField(
                        label=label,
                        required=False,
                        choices=[("", "—")]
                        + [
                            (str(m.pk), f"{m.name} ({m.get_function_display()})")
                            for m in members
                            if m.side == side
                        ],
                    )
                elif name == "site":
                    field = forms.ChoiceField(
                        label=label,
                        required=False,
                        choices=[("", "Default calendar")] + [(s, s) for s in sites],
                    )
                elif name == "response_hours":
                    field = forms.DecimalField(
                        label=label, required=False, min_value=0, max_value=10_000, decimal_places=2
                    )
                elif name.endswith("email"):
                    field = forms.EmailField(label=label, required=False)
                else:
                    field = forms.CharField(label=label, required=False, max_length=150)
                self.fields[key] = field
        from django import forms as f

        self.fields["reason"] = f.CharField(label="Reason", required=False, max_length=100)

    def levels(self) -> list[dict]:
        data = self.cleaned_data
        found = []
        for n in range(1, self.rows + 1):
            row = {name: data.get(f"level{n}_{name}") for name in self.PARTS}
            if not any(v not in (None, "") for v in row.values()):
                break
            row["site"] = row["site"] or ""
            found.append(row)
        return found

    def grid(self) -> list[list]:
        return [[self[f"level{n}_{name}"] for name in self.PARTS] for n in range(1, self.rows + 1)]
