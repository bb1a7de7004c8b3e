"""The outlook page's filters: the shared client / site / product scope, plus risk, cause area
and sort (an unknown value is a clear 400 with the filter's message, never a 500)."""

from __future__ import annotations

from django import forms

from tower.engine.projection import RISKS
from tower.engine.root_causes import AREAS
from tower.performance.forms import ScopeForm

# Sortable columns (besides the default, most urgent first).
SORTS = {
    "due_date": "due_date",
    "projected": "projected_date",
    "days_late": "projected_days_late",
    "client": "client__code",
}


class OutlookFilterForm(ScopeForm):
    risk = forms.ChoiceField(required=False, choices=[("", "")] + [(r, r) for r in RISKS])
    area = forms.ChoiceField(required=False, choices=[("", "")] + [(a.code, a.name) for a in AREAS])
    sort = forms.ChoiceField(
        required=False,
        choices=[("", "")] + [(s, s) for name in SORTS for s in (name, f"-{name}")],
    )
