"""Every model change comes with its migration: `makemigrations --check --dry-run` finds nothing
to write. Without it a deployment's `tower migrate` would leave the schema behind the code."""

from io import StringIO

import pytest
from django.core.management import call_command


def test_every_model_change_has_its_migration(db):
    # db: makemigrations checks the applied migrations against the (test) database's history.
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # --check exits with status 1 when a migration is missing
        pytest.fail(
            f"models changed without a migration (`tower makemigrations`):\n{out.getvalue()}"
        )
    assert "No changes detected" in out.getvalue()
