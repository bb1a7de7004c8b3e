"""tower demo --no-serve builds a realistic data set through the import pipeline, then reuses it."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tower.masterdata.models import Site
from tower.orders.models import ImportLog, OrderLine
from tower.performance.models import LineOutcome, RootCause
from tower.tenancy.models import Client


@pytest.mark.django_db
def test_demo_builds_data_accounts_and_figures_then_reuses_them(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--no-serve", "--lines", "3000", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert Client.objects.count() == 8 and Site.objects.count() == 3
    lines = OrderLine.objects.count()
    assert 2_850 <= lines <= 3_150
    assert LineOutcome.objects.count() == lines
    assert RootCause.objects.filter(status="approved").exists()
    assert ImportLog.objects.get().outcome == "applied"
    assert "Gross OTIF by client" in text and "cmo-admin" in text
    assert get_user_model().objects.get(username="cmo-admin").is_superuser
    assert (
        Client.objects.get(code=Client.objects.order_by("id")[1].code).otif_definitions.count() == 1
    )

    again = StringIO()
    call_command("demo", "--no-serve", stdout=again, stderr=StringIO())
    assert "Reusing the existing data" in again.getvalue()
    assert OrderLine.objects.count() == lines
