"""`tower definition set` with absurd numbers (TOML spells inf and nan): one-line errors, no new
version (issue 9, section 3)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tower.agreements.models import OtifDefinitionVersion


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("under_pct = inf", "under_pct must be a finite number; got inf"),
        ("under_pct = nan", "under_pct must be a finite number; got nan"),
        ("under_pct = 1e308", "under_pct must be at most 100; got 1e+308"),
        ("over_pct = 1e307", "over_pct must be at most 1000.0; got 1e+307"),
        ("over_pct = -inf", "over_pct must be a finite number; got -inf"),
        ("late_days = 100000000000000000", "late_days must be at most 365"),
        ("early_days = 366", "early_days must be at most 365; got 366"),
        ("late_days = -1", "late_days must be at least 0; got -1"),
    ],
)
def test_definition_numbers_are_bounded(acme, tmp_path, toml, message):
    path = tmp_path / "definition.toml"
    path.write_text(toml + "\n")
    before = OtifDefinitionVersion.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("definition", "set", "ACME", str(path), stdout=io.StringIO())
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert OtifDefinitionVersion.objects.count() == before


def test_the_bounds_themselves_are_accepted(acme, tmp_path):
    path = tmp_path / "definition.toml"
    path.write_text("early_days = 365\nlate_days = 365\nunder_pct = 100.0\nover_pct = 1000.0\n")
    out = io.StringIO()
    call_command("definition", "set", "ACME", str(path), stdout=out)
    assert "definition version 1 is in force" in out.getvalue()
