"""Forms of the risk register pages. Ratings are read as text and checked by the engine's
rules (tower.engine.risk.rating) on the risk's matrix, so 0, 6 on a 5-point scale or a word get
the same clear message on the page, in the services and in the tests."""

from django import forms

from tower.engine.risk import COLOUR_NAMES, LEVEL_NAMES
from tower.web.forms import Form, StepForm

COLOUR_CHOICES = [("", "Any colour")] + [
    (code or "none", name) for code, name in COLOUR_NAMES.items()
]


class RiskFilterForm(Form):
    client = forms.CharField(required=False)
    colour = forms.ChoiceField(required=False, choices=COLOUR_CHOICES)
    level = forms.ChoiceField(required=False, choices=[("", "Any level"), *LEVEL_NAMES.items()])
    overdue = forms.BooleanField(required=False, label="Review overdue only")


class RatingForm(StepForm):
    probability = forms.CharField(max_length=10)
    impact = forms.CharField(max_length=10)
    reason = forms.CharField(max_length=100, required=False)


class RiskForm(StepForm):
    title = forms.CharField(max_length=300)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Cause and effect"
    )
    owner = forms.CharField(max_length=150, help_text="Who manages it (name or function)")
    probability = forms.CharField(max_length=10)
    impact = forms.CharField(max_length=10)
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Response (mitigation)"
    )
    contingency = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Contingency plan"
    )


class PlanForm(StepForm):
    owner = forms.CharField(max_length=150)
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Response (mitigation)"
    )
    contingency = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Contingency plan"
    )


class ActionForm(StepForm):
    title = forms.CharField(max_length=300)
    owner = forms.CharField(max_length=150)
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date", "min": "1900-01-01"})
    )


class ReviewForm(StepForm):
    note = forms.CharField(max_length=100, required=False)
