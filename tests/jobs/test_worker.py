"""Jobs end to end with a REAL Huey consumer (worker threads on a SQLite queue file), real
commits (transaction=True) and the web app: exclusion, month close, a lines workbook and the
scorecard's PDF and deck run in the worker, the page shows them queued, running, done; identical
requests share a job; one user cannot queue unbounded jobs; with no worker the page says to
start one."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time

import openpyxl
import pptx
import pypdf
import pytest
from django.db import transaction
from django.test import Client as WebClient
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from tests.conftest import make_user
from tests.performance.conftest import ACME_LINES, MARCH, line, monthly
from tower.jobs import services as job_services
from tower.jobs.models import Job, JobStatus
from tower.performance.models import LineOutcome, MonthClose, OutcomeRefresh
from tower.performance.tasks import daily_recompute
from tower.tenancy.models import Client, Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("root_cause_catalogue"),
]


@pytest.fixture
def queue(tmp_path, settings, monkeypatch):
    """The real queue (a SQLite file) with real on-commit queueing, no worker yet."""
    settings.JOBS_DIR = tmp_path / "jobs"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(job_services, "on_commit", transaction.on_commit)
    monkeypatch.setitem(HUEY.storage_kwargs, "filename", str(tmp_path / "queue.sqlite3"))
    HUEY.immediate = False  # recreates the storage on the file
    yield HUEY
    HUEY.immediate = True


@pytest.fixture
def worker(queue):
    """`tower worker`'s consumer, running in threads of this process until the test ends."""
    consumer = queue.create_consumer(
        workers=2, worker_type="thread", periodic=False, check_worker_health=False
    )
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)


@pytest.fixture
def acme(write_csv, run_import):
    client = Client.objects.create(code="ACME", name="Acme Pharma")
    assert run_import(write_csv(ACME_LINES), create_missing=True).ok
    return client


@pytest.fixture
def admin(acme):
    web = WebClient()
    web.force_login(make_user("boss", admin=True))
    return web


def finished(job_id: int, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {Job.objects.get(pk=job_id).status}")


def job_of(response) -> int:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/jobs/"), response["Location"]
    return int(response["Location"].split("/")[2])


def test_an_exclusion_runs_in_the_worker_and_the_page_shows_the_outcome(acme, admin, worker):
    otif_line = line("PO-1", "1")
    answer = admin.post(
        reverse("performance:line_exclusion", args=[otif_line.pk]), {"reason": "Sample order"}
    )

    job = finished(job_of(answer))
    assert (job.status, job.kind, job.client, job.progress) == (
        JobStatus.DONE,
        "exclusion",
        acme,
        100,
    )
    assert LineOutcome.objects.get(line=otif_line).exclusion == "manual"
    # March without its one OTIF line: 3 measured, none OTIF, 1 excluded.
    assert monthly(acme, MARCH)["lines"] == 3 and monthly(acme, MARCH)["otif"] == 0
    page = admin.get(answer["Location"]).content.decode()
    assert "Done." in page and "excluded from OTIF" in page and "every 1s" not in page


def test_closing_a_month_runs_in_the_worker(acme, admin, worker):
    # March has failures without an approved cause: the close is confirmed with a note.
    form = {"client": "ACME", "month": "2026-03", "note": "Open failures reviewed"}
    answer = admin.post(reverse("performance:close_month"), form)

    job = finished(job_of(answer))
    assert job.status == JobStatus.DONE, job.message
    close = MonthClose.objects.get(client=acme, period=MARCH)
    assert close.otif_rows.count() > 0 and "March 2026 is closed" in job.message
    # A second close of the same month is refused before anything is queued.
    again = admin.post(reverse("performance:close_month"), form)
    assert again["Location"].startswith(reverse("performance:close_confirm"))
    assert Job.objects.count() == 1


def test_a_large_lines_workbook_is_made_by_the_worker_and_downloaded(acme, admin, worker, settings):
    settings.EXPORT_INLINE_LINES = 3  # the 7 lines of ACME are "large"
    answer = admin.get("/lines/export.xlsx?client=ACME&from=2026-03&to=2026-04")

    job = finished(job_of(answer))
    assert job.status == JobStatus.DONE, job.message
    assert job.message == "7 lines." and job.result_name.endswith("2026-03-to-2026-04.xlsx")
    download = admin.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    orders = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert orders == ["PO-1", "PO-1", "PO-2", "PO-3", "PO-4", "PO-4", "PO-5"]


def test_the_scorecard_pdf_and_deck_are_made_by_the_worker_for_their_user_alone(
    acme, admin, worker
):
    """The first quarter of 2026 holds ACME's March: 4 measured lines, 1 of them on time and in
    full (PO-1/1), so gross OTIF is 1 / 4 = 25.0 % in the report and on the deck's summary."""
    viewer = WebClient()
    viewer.force_login(make_user("viewer", acme, Role.CLIENT_VIEWER))
    jobs = {}
    for fmt, title in (("pdf", "PDF report"), ("pptx", "PowerPoint deck")):
        answer = admin.get(f"/scorecard/export.{fmt}?client=ACME&period=2026Q1")
        job = jobs[fmt] = finished(job_of(answer))
        assert (job.status, job.kind, job.user.username) == (
            JobStatus.DONE,
            "export_scorecard",
            "boss",
        )
        assert job.title == f"Scorecard {title}, Acme Pharma, 2026Q1"
        assert job.message == "The scorecard of Acme Pharma for Q1 2026."
        assert job.result_name == f"scorecard-ACME-2026Q1.{fmt}"
        # Another user of the client sees neither the job nor its file.
        assert viewer.get(answer["Location"]).status_code == 404
        assert viewer.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    files = {}
    for fmt, job in jobs.items():
        assert f"Download scorecard-ACME-2026Q1.{fmt}" in admin.get(f"/jobs/{job.pk}/").text
        response = admin.get(reverse("jobs:download", args=[job.pk]))
        files[fmt] = io.BytesIO(b"".join(response.streaming_content))
    pages = pypdf.PdfReader(files["pdf"]).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Acme Pharma" in text and "25.0 %" in text
    deck = pptx.Presentation(files["pptx"])
    title = " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "Acme Pharma" in title and "Q1 2026" in title


def test_scorecard_files_are_shared_while_they_wait_and_limited_per_user(
    acme, admin, queue, settings
):
    """No worker runs: the same file asked twice is one job; the PDF, the deck and the workbook
    are the user's 3 unfinished jobs (JOBS_PER_USER), a 4th file is refused with the reason and
    the JSON (made in the request) is still served."""
    settings.JOBS_PER_USER = 3
    first = admin.get("/scorecard/export.pdf?client=ACME&period=2026Q1")
    again = admin.get("/scorecard/export.pdf?client=ACME&period=2026Q1")
    assert job_of(again) == job_of(first) and Job.objects.count() == 1
    for fmt in ("pptx", "xlsx"):
        job_of(admin.get(f"/scorecard/export.{fmt}?client=ACME&period=2026Q1"))
    refused = admin.get("/scorecard/export.pdf?client=ACME&period=2026-03", follow=True)
    assert "You already have 3 jobs waiting or running" in refused.content.decode()
    assert refused.redirect_chain[-1][0] == "/scorecard/?client=ACME&period=2026-03"
    assert Job.objects.count() == 3
    assert admin.get("/scorecard/export.json?client=ACME&period=2026Q1").status_code == 200
    # Another user asking for the same PDF gets a job of their own (the file is personal).
    other = WebClient()
    other.force_login(make_user("boss-2", admin=True))
    theirs = job_of(other.get("/scorecard/export.pdf?client=ACME&period=2026Q1"))
    assert theirs != job_of(first) and Job.objects.count() == 4


def test_without_a_worker_the_job_waits_and_the_page_says_to_start_one(
    acme, admin, queue, monkeypatch
):
    from tower.jobs import views

    answer = admin.post(
        reverse("performance:line_exclusion", args=[line("PO-2").pk]), {"reason": "Duplicate"}
    )
    page = admin.get(answer["Location"]).content.decode()
    assert "Queued" in page and 'hx-trigger="every 1s"' in page and "tower worker" not in page
    monkeypatch.setattr(views, "NO_WORKER_AFTER_SECONDS", 0)
    fragment = admin.get(answer["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "tower worker" in fragment and "<html" not in fragment
    # The same request again while it waits: the same job, not a second one.
    again = admin.post(
        reverse("performance:line_exclusion", args=[line("PO-2").pk]), {"reason": "Duplicate"}
    )
    assert again["Location"] == answer["Location"] and Job.objects.count() == 1
    # Once a worker runs, the queued job is done.
    consumer = queue.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        assert finished(job_of(answer)).status == JobStatus.DONE
    finally:
        consumer.stop(graceful=True)
    assert LineOutcome.objects.get(line=line("PO-2")).exclusion == "manual"


def test_a_job_claimed_while_another_writer_holds_the_database_runs_once_it_is_free(
    acme, admin, queue, monkeypatch
):
    """Another connection holds the job's row in an open write transaction (on SQLite the
    database's one write lock, as a long import does) for longer than SQLite waits on its own:
    the worker waits to claim the job and runs it afterwards, instead of leaving it queued."""
    from django.db import connection

    answer = admin.post(
        reverse("performance:line_exclusion", args=[line("PO-2").pk]), {"reason": "Duplicate"}
    )
    job_id = job_of(answer)
    monkeypatch.setattr(job_services, "BUSY_WAITS", (1,) * 20)
    holding, release = threading.Event(), threading.Event()

    def hold_the_database() -> None:
        try:
            with transaction.atomic():
                Job.objects.filter(pk=job_id).update(title="Excluding PO-2 (held)")
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_database)
    holder.start()
    assert holding.wait(30)
    consumer = queue.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        time.sleep(6)  # past SQLite's busy timeout (5 s): the worker has met the lock
        release.set()
        holder.join()
        job = finished(job_id)
    finally:
        release.set()
        consumer.stop(graceful=True)
    assert (job.status, job.title) == (JobStatus.DONE, "Excluding PO-2 (held)"), job.message
    assert LineOutcome.objects.get(line=line("PO-2")).exclusion == "manual"


def test_one_user_cannot_queue_unbounded_jobs(acme, admin, queue, settings):
    settings.JOBS_PER_USER = 2
    for order in ("PO-1", "PO-2"):
        answer = admin.post(
            reverse("performance:line_exclusion", args=[line(order).pk]), {"reason": "x"}
        )
        assert answer["Location"].startswith("/jobs/")

    refused = admin.post(
        reverse("performance:line_exclusion", args=[line("PO-3").pk]), {"reason": "x"}, follow=True
    )
    assert "You already have 2 jobs waiting or running" in refused.content.decode()
    assert Job.objects.count() == 2
    # Another user is not held up by them.
    other = WebClient()
    other.force_login(make_user("boss-2", admin=True))
    answer = other.post(
        reverse("performance:line_exclusion", args=[line("PO-3").pk]), {"reason": "x"}
    )
    assert answer["Location"].startswith("/jobs/") and Job.objects.count() == 3


def test_a_client_user_cannot_see_another_users_download_job(acme, admin, queue, settings):
    settings.EXPORT_INLINE_LINES = 3
    answer = admin.get("/lines/export.xlsx?client=ACME&from=2026-03&to=2026-04")
    viewer = WebClient()
    viewer.force_login(make_user("viewer", acme, Role.CLIENT_VIEWER))

    assert viewer.get(answer["Location"]).status_code == 404
    assert admin.get(answer["Location"]).status_code == 200


def test_the_daily_recompute_is_scheduled_and_refreshes_every_client(acme):
    assert daily_recompute.task_class().validate_datetime(dt.datetime(2026, 5, 4, 2, 30))
    assert not daily_recompute.task_class().validate_datetime(dt.datetime(2026, 5, 4, 14, 30))
    globex = Client.objects.create(code="GLOBEX", name="Globex")

    daily_recompute.call_local()

    assert set(
        OutcomeRefresh.objects.filter(trigger="recompute").values_list("client", flat=True)
    ) == {acme.pk, globex.pk}


@pytest.mark.django_db
def test_a_queued_refresh_is_shared_until_it_runs(monkeypatch, acme):
    """Two changes before the worker runs: one job. A change while it runs: another job (the
    running one may have read its inputs before the change)."""
    monkeypatch.setattr(job_services, "on_commit", lambda queue: None)  # nothing runs
    first = job_services.queue_refresh(
        kind=job_services.PROJECT_OPEN_LINES, client=acme, because="a"
    )
    again = job_services.queue_refresh(
        kind=job_services.PROJECT_OPEN_LINES, client=acme, because="b"
    )
    assert again.pk == first.pk and first.user is None and first.title == "Refresh after a"
    Job.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING)
    during = job_services.queue_refresh(
        kind=job_services.PROJECT_OPEN_LINES, client=acme, because="c"
    )
    assert during.pk != first.pk and during.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_download_files_are_deleted_after_the_days_kept(settings, tmp_path, acme, client):
    """Kept 7 days: a job finished 8 days ago loses its file (its page says so), one
    finished 6 days ago keeps it."""
    settings.JOBS_DIR = tmp_path
    settings.JOB_FILES_DAYS = 7
    now = dt.datetime(2026, 12, 3, 3, 15, tzinfo=dt.UTC)
    user = make_user("exporter", acme, Role.CLIENT_VIEWER)
    jobs = {}
    for name, age in (("old", 8), ("recent", 6)):
        (tmp_path / f"{name}.xlsx").write_bytes(b"xlsx")
        jobs[name] = Job.objects.create(
            client=acme,
            user=user,
            kind="export_lines",
            title=name,
            key=name,
            status=JobStatus.DONE,
            finished_at=now - dt.timedelta(days=age),
            result_file=f"{name}.xlsx",
            result_name=f"{name}.xlsx",
        )
    assert job_services.expire_results(now) == 1
    assert not (tmp_path / "old.xlsx").exists() and (tmp_path / "recent.xlsx").exists()
    client.force_login(user)
    page = client.get(reverse("jobs:job", args=[jobs["old"].pk])).content.decode()
    assert "old.xlsx was deleted 7 days after the job finished" in page
    assert client.get(reverse("jobs:download", args=[jobs["old"].pk])).status_code == 404
    assert client.get(reverse("jobs:download", args=[jobs["recent"].pk])).status_code == 200
