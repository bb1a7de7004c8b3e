"""Forms of the webhook pages: an endpoint (added on the agreement page, changed on its own
page) and the deliveries page's filters."""

from __future__ import annotations

from django import forms

from tower.web.forms import Form, StepForm
from tower.webhooks.models import MAX_ENDPOINT_NAME, MAX_EVENT, MAX_URL, Delivery, Format


class EndpointForm(StepForm):
    name = forms.CharField(
        max_length=MAX_ENDPOINT_NAME,
        label="Name",
        help_text="What the endpoint is, e.g. “Escalations channel (Teams)”.",
    )
    url = forms.CharField(
        max_length=MAX_URL,
        label="URL",
        help_text="https:// (or http://) address that receives a POST for each event.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    format = forms.ChoiceField(
        choices=Format.choices,
        label="Format",
        help_text="Plain JSON for an integration; the Teams or Slack message for a channel's "
        "incoming webhook.",
    )
    active = forms.BooleanField(
        required=False,
        initial=True,
        label="Active",
        help_text="Only active endpoints receive events (a test can be sent to any).",
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "webhook_%s")
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["url"].required = False
            self.fields[
                "url"
            ].help_text = (
                "Leave empty to keep the current address (not shown: it can hold a credential)."
            )


STATUS_CHOICES = [("", "Any status"), *Delivery.Status.choices]


class DeliveryFilter(Form):
    """The deliveries page's filters; a value that cannot be read is a message, not a 500."""

    client = forms.CharField(required=False, max_length=40)
    endpoint = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    event = forms.CharField(required=False, max_length=MAX_EVENT)
    test = forms.ChoiceField(
        required=False,
        choices=[("", "Tests and events"), ("0", "Events only"), ("1", "Tests only")],
    )
