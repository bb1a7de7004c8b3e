"""`tower board --site CODE [--date DATE]`: the board as text, the same sections as the page."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command


def board(*args: str) -> str:
    out = io.StringIO()
    call_command("board", *args, stdout=out)
    return out.getvalue()


def test_the_board_of_a_site(board_world):
    text = board("--site", "EU1", "--date", "2026-04-07")
    assert "Daily board · EU1" in text and "Tuesday 07 April 2026" in text
    # Both clients at EU1: missed; GLOBEX-1 still open (GLOBEX's late_days=1).
    assert "Missed yesterday (due yesterday, failed OTIF): 2" in text
    assert "A-2" in text and "A-4" in text and "A-3" not in text  # A-3 is at US1
    assert "Still open inside the late tolerance (due yesterday, not in full yet): 1" in text
    assert "GLOBEX-1" in text
    assert "At risk today (open lines due today): 2" in text  # A-6, GLOBEX-2
    assert "At risk this week (due in the next six days): 1" in text  # A-8 (A-7 is at US1)
    assert "Deviations opened yesterday: 2" in text  # DEV-1, GLOBEX-DEV-1
    assert "Batches due for QC release this week: 4" in text  # B-2, B-1, B-5, GLOBEX-B-1


def test_one_client(board_world):
    text = board("--site", "US1", "--date", "2026-04-07", "--client", "ACME")
    assert "Missed yesterday (due yesterday, failed OTIF): 1" in text and "A-3" in text
    assert "At risk this week (due in the next six days): 1" in text and "A-7" in text
    assert "Batches due for QC release this week: 0" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "NOWHERE"], "unknown site 'NOWHERE' (known: EU1, US1)"),
        (["--site", "EU1", "--client", "NOPE"], "unknown client 'NOPE'"),
        (["--site", "EU1", "--date", "2026-02-30"], "2026-02-30"),
    ],
)
def test_bad_options_are_one_line_errors(board_world, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        board(*args)
