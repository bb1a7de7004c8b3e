from django import forms

from tower.calendars.services import build_calendar
from tower.engine.business_hours import MAX_HOLIDAYS, Calendar
from tower.engine.periods import parse_iso_date
from tower.workflow import WorkflowError


class CalendarForm(forms.Form):
    days = forms.CharField(
        label="Working days",
        max_length=60,
        help_text="e.g. mon-fri, or mon,tue,thu; a range may wrap (sat-mon)",
    )
    hours = forms.CharField(
        label="Daily hours",
        max_length=20,
        help_text="Local time, e.g. 08:00-17:00 (24:00 ends the day)",
    )
    time_zone = forms.CharField(
        label="Time zone", max_length=64, help_text="IANA name, e.g. Europe/Berlin"
    )
    holidays = forms.CharField(
        label="Holidays",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One date a line (or separated by commas or spaces), YYYY-MM-DD",
    )
    reason = forms.CharField(label="Reason", max_length=100, required=False)

    def clean_holidays(self) -> list:
        text = self.cleaned_data["holidays"].replace(",", " ")
        days = set()
        for word in text.split():
            try:
                days.add(parse_iso_date(word))
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        if len(days) > MAX_HOLIDAYS:
            raise forms.ValidationError(f"At most {MAX_HOLIDAYS} holidays.")
        return sorted(days)

    def calendar(self) -> Calendar | None:
        """The calendar typed, or None with the error on the form."""
        data = self.cleaned_data
        try:
            return build_calendar(
                days=data["days"],
                hours=data["hours"],
                time_zone=data["time_zone"],
                holidays=data["holidays"],
            )
        except WorkflowError as exc:
            self.add_error(None, str(exc))
            return None
