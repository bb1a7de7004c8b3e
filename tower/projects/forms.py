"""Forms of the project pages: filters, a new project, milestones, change requests, comments."""

from django import forms

from tower.engine.projects import HEALTH_NAMES, PROJECT_TYPES
from tower.projects.models import Project
from tower.web.forms import Form, StepForm

YEARS = {"min": "1900-01-01", "max": "2999-12-31"}


def _date(**kwargs):
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date", **YEARS}), **kwargs)


def _in_years(value):
    if value is not None and not 1900 <= value.year <= 2999:
        raise forms.ValidationError("Give a date in the years 1900 to 2999.")
    return value


class ProjectFilterForm(Form):
    client = forms.CharField(required=False)
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any type"), *PROJECT_TYPES.items()], label="Type"
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Project.Status.choices]
    )
    health = forms.ChoiceField(required=False, choices=[("", "Any health"), *HEALTH_NAMES.items()])
    q = forms.CharField(required=False, max_length=100, label="Code or name")


class ProjectForm(StepForm):
    code = forms.CharField(max_length=40)
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=list(PROJECT_TYPES.items()), label="Type")
    start_date = _date()
    client_contact = forms.CharField(max_length=200, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_start_date(self):
        return _in_years(self.cleaned_data["start_date"])


class MilestoneForm(StepForm):
    forecast_date = _date(required=False, label="Forecast")
    actual_date = _date(required=False, label="Reached on")
    reason = forms.CharField(max_length=100, required=False)

    def clean_forecast_date(self):
        return _in_years(self.cleaned_data["forecast_date"])

    def clean_actual_date(self):
        return _in_years(self.cleaned_data["actual_date"])


class StatusForm(StepForm):
    status = forms.ChoiceField(choices=Project.Status.choices)


class ChecklistForm(StepForm):
    phase = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    template = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class TemplateForm(StepForm):
    name = forms.CharField(max_length=200)
    items = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), help_text="One per line")
    phase = forms.CharField(max_length=100, required=False)
    for_type = forms.BooleanField(required=False, label="Only for this project's type")


class ChangeRequestForm(StepForm):
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    impact_days = forms.IntegerField(
        min_value=-3650, max_value=3650, initial=0, label="Impact on time (days)"
    )
    impact_scope = forms.CharField(required=False, max_length=2000, label="Impact on scope")
    impact_cost = forms.DecimalField(
        max_digits=14, decimal_places=2, initial=0, label="Impact on cost"
    )
    impact_quality = forms.CharField(required=False, max_length=2000, label="Impact on quality")


class DecisionForm(StepForm):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CommentForm(StepForm):
    """A comment on a project or a risk (tower.risks uses this form too)."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class TickForm(Form):
    done = forms.BooleanField(required=False)
