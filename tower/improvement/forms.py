"""Forms of the lessons and improvement pages: the filters read from the query string, and the
posted data of each step. Writes go through tower.improvement.services; a step the workflow
refuses becomes the form's error (StepForm.run)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from tower.engine.kpi_catalogue import KPIS
from tower.engine.periods import FIRST_YEAR, LAST_YEAR
from tower.improvement.models import (
    PHASES,
    ImprovementProject,
    LessonSource,
    Phase,
    SpreadStatus,
    Tollgate,
)
from tower.masterdata.models import FunctionalArea, Site
from tower.tenancy.scoping import client_by_code
from tower.web.forms import Form, StepForm

KPI_SELECT = [("", "Choose the KPI to move")] + [(k.code, f"{k.name} ({k.unit})") for k in KPIS]
BOUNDED = {"min_value": -1e12, "max_value": 1e12}  # finite; the KPI's own range is the service's


class DateInput(forms.DateInput):
    input_type = "date"


def bounded_date(**kwargs) -> forms.DateField:
    """A date typed on a page: ISO, within the years every page accepts."""
    field = forms.DateField(widget=DateInput, **kwargs)
    field.validators.append(_in_years)
    return field


def _in_years(value) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(f"Give a date in the years {FIRST_YEAR} to {LAST_YEAR}.")


class ClientFilterForm(Form):
    """?client= on a list: a client the user may not see is a 404, like one that does not exist."""

    client = forms.CharField(required=False, max_length=100)

    def __init__(self, data, *, clients, **kwargs):
        super().__init__(data, **kwargs)
        self.clients = clients

    def clean_client(self):
        return client_by_code(self.clients, self.cleaned_data["client"])


# --- improvement projects ----------------------------------------------------------------------


PROJECT_SORTS = {"title": "title", "client": "client__code", "started": "started_on", "kpi": "kpi"}


class ProjectFilterForm(ClientFilterForm):
    state = forms.ChoiceField(
        required=False, choices=[("", "Any state"), *ImprovementProject.State.choices]
    )
    phase = forms.ChoiceField(required=False, choices=[("", "Any phase"), *Phase.choices])
    kpi = forms.ChoiceField(
        required=False, choices=[("", "Any KPI")] + [(k.code, k.name) for k in KPIS]
    )
    sort = forms.ChoiceField(
        required=False, choices=[(s, s) for name in PROJECT_SORTS for s in (name, f"-{name}")]
    )


class ProjectForm(StepForm):
    """The charter of a DMAIC project and the approver of each tollgate."""

    title = forms.CharField(max_length=200)
    problem = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    kpi = forms.CharField(
        label="KPI to move",
        max_length=40,
        widget=forms.Select(choices=KPI_SELECT),
        help_text="From the scorecard's catalogue; the page shows its real trend from the start.",
    )
    baseline = forms.FloatField(**BOUNDED, help_text="The KPI's value before the project.")
    target = forms.FloatField(**BOUNDED, help_text="The value the project commits to reach.")
    started_on = bounded_date(label="Started on", help_text="The trend starts with this month.")
    site = forms.ModelChoiceField(
        Site.objects.order_by("code"), required=False, empty_label="Every site"
    )
    product = forms.ModelChoiceField(None, required=False, empty_label="Every product")
    sponsor = forms.CharField(max_length=150)
    team = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, client, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["product"].queryset = products
        users = (
            get_user_model()
            .objects.filter(Q(memberships__client=client) | Q(is_superuser=True), is_active=True)
            .distinct()
            .order_by("username")
        )
        for phase in PHASES:
            self.fields[f"approver_{phase}"] = forms.ModelChoiceField(
                users,
                label=f"{Phase(phase).label} tollgate approver",
                to_field_name="username",
            )
            self.fields[f"planned_{phase}"] = bounded_date(
                label=f"{Phase(phase).label} tollgate planned", required=False
            )


class TollgateForm(StepForm):
    phase = forms.ChoiceField(choices=Phase.choices)
    decision = forms.ChoiceField(
        choices=[
            (Tollgate.Decision.GO, "Go: the phase is closed"),
            (Tollgate.Decision.REWORK, "Rework: the phase stays open"),
            (Tollgate.Decision.STOP, "Stop the project"),
        ]
    )
    decided_on = bounded_date(label="Date", required=False)
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=10_000,
        help_text="Required for rework and stop.",
    )


# --- lessons learned ---------------------------------------------------------------------------


LESSON_SORTS = {
    "title": "title",
    "client": "client__code",
    "recorded": "created_at",
    "source": "source",
}


class LessonFilterForm(ClientFilterForm):
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *LessonSource.choices])
    spread = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any"),
            ("open", "Still to spread somewhere"),
            ("done", "Spread everywhere it applies"),
            ("none", "No place named yet"),
        ],
    )
    q = forms.CharField(required=False, max_length=100, label="Words")
    sort = forms.ChoiceField(
        required=False, choices=[(s, s) for name in LESSON_SORTS for s in (name, f"-{name}")]
    )


CMO_WIDE = "__cmo__"


class LessonForm(StepForm):
    client = forms.ChoiceField(
        help_text="A client's lesson is seen by that client's users; a CMO-wide one only by the CMO."
    )
    title = forms.CharField(max_length=200)
    source = forms.ChoiceField(choices=LessonSource.choices)
    deviation = forms.CharField(
        required=False, max_length=100, help_text="Its number, when the source is a deviation."
    )
    capa = forms.CharField(
        label="CAPA",
        required=False,
        max_length=100,
        help_text="Its number, when the source is a CAPA.",
    )
    project = forms.CharField(
        label="Client project",
        required=False,
        max_length=40,
        help_text="Its code, when the source is a client project.",
    )
    reference = forms.CharField(
        required=False,
        max_length=100,
        help_text="The client project's or escalation's reference (escalations are not in the tower yet).",
    )
    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    lesson = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)

    def __init__(self, *args, clients, cmo_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.clients = clients
        choices = [(c.code, c.name) for c in clients]
        if cmo_wide:
            choices.insert(0, (CMO_WIDE, "CMO-wide (no client)"))
        self.fields["client"].choices = choices


class ApplicationForm(StepForm):
    """Where else the lesson applies: one site, one client or one process area."""

    site = forms.ModelChoiceField(
        Site.objects.order_by("code"), required=False, to_field_name="code"
    )
    target_client = forms.CharField(label="Client", required=False, max_length=100)
    area = forms.ModelChoiceField(
        FunctionalArea.objects.order_by("name"), required=False, label="Process area"
    )


class SpreadForm(StepForm):
    application = forms.IntegerField(min_value=1, max_value=2**62)
    status = forms.ChoiceField(choices=SpreadStatus.choices)
    spread_on = bounded_date(label="On", required=False)
    note = forms.CharField(required=False, max_length=500)
