"""The scorecard's jobs (tower.jobs): the workbook, the PDF report and the PowerPoint deck,
built by `tower worker`, not in a request (`tower scorecard` builds them on the command line)."""

from __future__ import annotations

from tower.engine.periods import parse_period
from tower.jobs.models import Job
from tower.jobs.services import Outcome, Report, handler, result_path
from tower.scorecards import exports
from tower.scorecards.scorecard import build_scorecard

# Formats the worker makes, with what the job page calls them; JSON (figures only, no drawing)
# is small and fast enough for the request.
JOB_FORMATS = {"xlsx": "workbook", "pdf": "PDF report", "pptx": "PowerPoint deck"}


@handler("export_scorecard")
def export_scorecard(job: Job, report: Report) -> Outcome:
    fmt = job.params["fmt"]
    report(10, "Computing the scorecard")
    card = build_scorecard(job.client, parse_period(job.params["period"]))
    report(60, "Writing the file")
    content, _, name = exports.render(card, fmt)
    path = result_path(job, f".{fmt}")
    path.write_bytes(content)
    return Outcome(f"The scorecard of {job.client.name} for {card.period.label}.", path, name)
