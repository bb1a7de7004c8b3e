"""Forms of the stock page: the list's filters (kept in the URL) and the update of one row."""

from __future__ import annotations

from django import forms

from tower.ingest.limits import MAX_NUMBER
from tower.stock.queries import DEFAULT_SORT, SORTS
from tower.tenancy.scoping import client_by_code
from tower.web.forms import Form, StepForm

DATE_ERRORS = {"invalid": "Write the date as YYYY-MM-DD, e.g. 2026-03-31."}


class StockFilterForm(Form):
    """?client= (a client the user may not see is a 404), product, location, latest only, sort."""

    client = forms.CharField(required=False)
    product = forms.CharField(required=False, max_length=200)
    location = forms.CharField(required=False, max_length=200)
    latest = forms.BooleanField(required=False, label="Latest count only")
    sort = forms.CharField(required=False, max_length=20)

    def __init__(self, data, *, clients, **kwargs):
        super().__init__(data, **kwargs)
        self.clients = clients

    def clean_client(self):
        return client_by_code(self.clients, self.cleaned_data["client"])

    def clean_sort(self):
        sort = self.cleaned_data["sort"] or DEFAULT_SORT
        if sort.removeprefix("-") not in SORTS:
            raise forms.ValidationError(
                f"Stock can be sorted by {', '.join(SORTS)} (prefix - for descending)."
            )
        return sort


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StockUpdateForm(StepForm):
    date = forms.DateField(
        widget=DateInput(),
        label="Counted on",
        help_text="The day the stock was counted.",
        error_messages=DATE_ERRORS,
    )
    on_hand = forms.FloatField(
        min_value=0,
        max_value=MAX_NUMBER,
        label="On hand",
        help_text="Quantity on hand that day, in the product's order unit.",
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    daily_demand = forms.FloatField(
        min_value=0,
        max_value=MAX_NUMBER,
        label="Daily demand",
        help_text="Quantity used or sold per day; more than 0.",
        widget=forms.NumberInput(attrs={"step": "any"}),
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if not 1900 <= date.year <= 2999:
            raise forms.ValidationError("The date must lie in the years 1900 to 2999.")
        return date

    def clean_daily_demand(self):
        demand = self.cleaned_data["daily_demand"]
        if demand <= 0:
            raise forms.ValidationError(
                "Must be more than 0: the cover in days is on hand / daily demand."
            )
        return demand
