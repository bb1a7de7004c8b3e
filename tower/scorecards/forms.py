"""Forms of the survey and stock-out pages: what they read from the query string and
the posted data, and how bad input reads back to the user. Writes go through
tower.scorecards.services; a step the workflow refuses becomes the form's error (StepForm.run).
"""

from __future__ import annotations

from django import forms

from tower.engine.periods import OutOfRange, Period, parse_period, quarter_of
from tower.masterdata.models import Product
from tower.performance.forms import FIRST_MONTH, LAST_MONTH
from tower.scorecards.models import SurveyResponse
from tower.tenancy.scoping import client_by_code
from tower.web.forms import DATE_ERRORS, DateInput, Form, StepForm

# ---------------------------------------------------------------------------------------------
# Shared


class PeriodField(forms.CharField):
    """A scorecard period typed as 2026Q3 (or, unless `quarters_only`, a month 2026-07)."""

    def __init__(self, *, quarters_only: bool = False, **kwargs):
        self.quarters_only = quarters_only
        super().__init__(**kwargs)

    def to_python(self, value) -> Period | None:
        value = super().to_python(value)
        if not value:
            return None
        example = "a quarter, e.g. 2026Q3" + ("" if self.quarters_only else ", or a month, 2026-07")
        try:
            period = parse_period(value)
        except OutOfRange:
            period = None
        except ValueError:  # also a year the calendar does not have (0000)
            raise forms.ValidationError(f"{value!r} is not a period: write {example}.") from None
        if period is None or not FIRST_MONTH <= period.start <= LAST_MONTH:
            raise forms.ValidationError(
                f"{value!r} is out of range: choose a period from {FIRST_MONTH.year} "
                f"to {LAST_MONTH.year}."
            )
        if self.quarters_only and period.kind != "quarter":
            raise forms.ValidationError(f"{value!r} is a month: write {example}.")
        return period


def recent_quarters(today, count: int, selected: Period | None = None) -> list[Period]:
    """The quarter of `today` and the `count - 1` before it, newest first, plus `selected` when
    it is not among them (so a period chosen by hand stays selected in the drop-down)."""
    current = quarter_of(today)
    quarters = [current.shifted(-n) for n in range(count)]
    if selected is not None and selected.kind == "quarter" and selected not in quarters:
        quarters.append(selected)
        quarters.sort(key=lambda p: p.start, reverse=True)
    return quarters


class ClientPeriodForm(forms.Form):
    """?client= and ?period= of a page. A client the user may not see is a 404, exactly like one
    that does not exist (as on the dashboard's ScopeForm)."""

    client = forms.CharField(required=False)
    period = PeriodField(required=False, quarters_only=True)

    def __init__(self, data, *, clients, **kwargs):
        super().__init__(data, **kwargs)
        self.clients = clients

    def clean_client(self):
        return client_by_code(self.clients, self.cleaned_data["client"])


# ---------------------------------------------------------------------------------------------
# The satisfaction survey

SCALE = [
    (1, "Very dissatisfied"),
    (2, "Dissatisfied"),
    (3, "Neither"),
    (4, "Satisfied"),
    (5, "Very satisfied"),
]
QUESTION_HINTS = {
    "delivery_reliability": "Orders arrive on the date promised, in the quantity ordered.",
    "communication": "You hear early and plainly when something slips.",
    "quality": "Batches and their documents are right the first time.",
    "responsiveness": "Questions and requests are answered quickly.",
    "overall": "All things considered.",
}


class SurveyForm(StepForm):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        label="Comment",
        help_text="Optional: what went well, what should change. The CMO reads every comment.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, question in SurveyResponse.QUESTIONS.items():
            self.fields[code] = forms.TypedChoiceField(
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                label=question,
                help_text=QUESTION_HINTS.get(code, ""),
                error_messages={"required": f"Rate “{question}” from 1 to 5."},
            )
        # The questions first, then the comment.
        self.order_fields([*SurveyResponse.QUESTIONS, "comment"])

    def questions(self):
        return [self[code] for code in SurveyResponse.QUESTIONS]

    def ratings(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code in SurveyResponse.QUESTIONS}


# ---------------------------------------------------------------------------------------------
# Customer stock-outs

CAUSED_CHOICES = [("", "Any"), ("yes", "Yes"), ("no", "No"), ("undetermined", "Undetermined")]
STOCK_OUT_SORTS = {
    "start": "start_date",
    "end": "end_date",
    "client": "client__code",
    "product": "product__code",
    "location": "location",
    "caused": "attribution",
    "lines": "linked_lines",
}
DEFAULT_STOCK_OUT_SORT = "-start"


class StockOutFilterForm(ClientPeriodForm):
    """The stock-out list's filters, kept in the URL. A product code only ever matches the
    visible clients' products, so another client's reads like one that does not exist."""

    product = forms.CharField(required=False, max_length=200)
    caused = forms.ChoiceField(choices=CAUSED_CHOICES, required=False, label="Caused by the CMO")
    open = forms.BooleanField(required=False, label="Open only")
    sort = forms.CharField(required=False)

    def __init__(self, data, *, clients, **kwargs):
        super().__init__(data, clients=clients, **kwargs)
        self.fields["period"] = PeriodField(required=False, label="Period")

    def clean_sort(self):
        sort = self.cleaned_data["sort"] or DEFAULT_STOCK_OUT_SORT
        if sort.removeprefix("-") not in STOCK_OUT_SORTS:
            raise forms.ValidationError(
                f"Stock-outs can be sorted by {', '.join(STOCK_OUT_SORTS)} "
                "(prefix - for descending)."
            )
        return sort


class StockOutReportForm(StepForm):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        to_field_name="code",
        empty_label="Choose the product",
        error_messages={"invalid_choice": "Choose one of the client's products."},
    )
    location = forms.CharField(
        max_length=200,
        label="Market or warehouse",
        help_text="The market, country or warehouse that ran out of stock.",
    )
    start_date = forms.DateField(
        widget=DateInput(), label="Out of stock since", error_messages=DATE_ERRORS
    )
    end_date = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Back in stock on",
        help_text="Leave empty while the stock-out lasts.",
        error_messages=DATE_ERRORS,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text="Optional: patients or orders affected, what was done.",
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(client=client).order_by("code")
        self.fields["product"].label_from_instance = _product_label


def _product_label(product: Product) -> str:
    return (
        f"{product.code} · {product.name}"
        if product.name and product.name != product.code
        else product.code
    )


class EndStockOutForm(Form):
    end_date = forms.DateField(
        widget=DateInput(), label="Back in stock on", error_messages=DATE_ERRORS
    )
