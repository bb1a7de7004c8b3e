"""Shared fixtures: clients, users of each role, and a way to import a small CSV."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from hypothesis import settings as hypothesis_settings

from tower.imports.lines import import_lines
from tower.tenancy.models import Client, Membership, Role
from tower.tenancy.scoping import SYSTEM

# Property tests check behaviour, not speed (speed goals live in bench/): Hypothesis' default
# 200 ms deadline per example failed them on a loaded CI machine.
hypothesis_settings.register_profile("tower", deadline=None)
hypothesis_settings.load_profile("tower")

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def make_acme() -> Client:
    return Client.objects.create(code="ACME", name="Acme Pharma")


def make_globex() -> Client:
    return Client.objects.create(code="GLOBEX", name="Globex Therapeutics")


@pytest.fixture
def acme(db):
    return make_acme()


@pytest.fixture
def globex(db):
    return make_globex()


def make_user(username: str, client: Client | None = None, role: str | None = None, *, admin=False):
    user = get_user_model().objects.create_user(
        username=username, password="x-long-password", is_superuser=admin, is_staff=admin
    )
    if client is not None:
        Membership.objects.create(user=user, client=client, role=role)
    return user


def csv_writer(folder: Path):
    """A function writing a CSV from an indented text block into `folder`, returning its path."""

    def write(text: str, name: str = "lines.csv") -> Path:
        path = folder / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def import_as_operator(path: Path, **options):
    """Import a file as the operator; extra keyword arguments go to import_lines."""
    return import_lines(path=path, actor="test", principal=SYSTEM, **options)


@pytest.fixture
def write_csv(tmp_path):
    """Write a CSV from an indented text block and return its path."""
    return csv_writer(tmp_path)


@pytest.fixture
def run_import():
    """Import a file as the operator; extra keyword arguments go to import_lines."""
    return import_as_operator


def download(web, url: str):
    """GET a download as its user does. A file the job worker makes (tower.jobs) answers with
    its job's page: the page must offer the file, which is then fetched. Returns the file's
    response with its bytes in `.content` (a job's file is streamed; it is read here)."""
    from django.http import HttpResponse

    response = web.get(url)
    location = response.get("Location", "") if response.status_code == 302 else ""
    if not location.startswith("/jobs/"):
        return response
    page = web.get(location)
    assert page.status_code == 200 and page.context["download"], (url, location, page.content)
    file = web.get(location + "download")
    if not file.streaming:
        return file
    read = HttpResponse(b"".join(file.streaming_content), status=file.status_code)
    for header in ("Content-Type", "Content-Disposition"):
        read[header] = file[header]
    return read


__all__ = ["Role", "download", "make_user"]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing_everywhere():
    """Every password the tests set or check is hashed with MD5: the production hasher (PBKDF2,
    about 0.3 s of CPU per password) would be most of the time of a test that makes a few users
    or signs in on the form. No test is about the hasher; the commands the tests run as
    subprocesses (tower user add) keep the real one."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def jobs_run_in_the_test(monkeypatch, settings, tmp_path):
    """Huey's immediate mode: a submitted job runs in the test process at once. A test's own
    transaction never commits, so the job is run where it would be queued on commit; the tests
    in tests/jobs use a real worker and real commits (transaction=True) instead."""
    from huey.contrib.djhuey import HUEY

    from tower.jobs import services

    HUEY.immediate = True
    monkeypatch.setattr(services, "on_commit", lambda queue: queue())
    settings.JOBS_DIR = tmp_path / "jobs"  # result files never land in a real data folder
    yield
    HUEY.immediate = True


def shared_rows(django_db_blocker, jobs_dir: Path, build):
    """For a module- (or class-) scoped fixture whose rows many tests read, as
    `yield from shared_rows(django_db_blocker, jobs_dir, build)`: the rows `build()` makes stay
    in an outer transaction while the tests run, each test's own transaction (pytest-django's
    `db`) is a savepoint inside it that rolls back to exactly these rows, and the rows go when
    the fixture ends (the outer transaction is rolled back). So expensive data is made once and
    every test still starts from the same state. The fixture yields what `build()` returns.

    Jobs submitted while the rows are made run at once, as in a test (jobs_run_in_the_test),
    with their files in `jobs_dir`. Not for transactional tests (they commit and flush)."""
    from django.db import transaction
    from django.test import override_settings
    from huey.contrib.djhuey import HUEY

    from tower.jobs import services

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with (
            django_db_blocker.unblock(),
            pytest.MonkeyPatch.context() as patch,
            override_settings(JOBS_DIR=jobs_dir),
        ):
            HUEY.immediate = True
            patch.setattr(services, "on_commit", lambda queue: queue())
            built = build()
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def load_root_cause_catalogue() -> None:
    """The functional areas and root-cause codes of kpis.md 2, as the migrations load them."""
    from tower.engine.root_causes import AREAS, ROOT_CAUSES
    from tower.masterdata.models import FunctionalArea, RootCauseCode

    for area in AREAS:
        FunctionalArea.objects.update_or_create(
            code=area.code, defaults={"name": area.name, "cmo_attributable": area.cmo_attributable}
        )
    for cause in ROOT_CAUSES:
        RootCauseCode.objects.update_or_create(
            code=cause.code, defaults={"area_id": cause.area, "name": cause.name}
        )


@pytest.fixture
def root_cause_catalogue(transactional_db):
    """Functional areas and root-cause codes for a transactional test: the flush after each one
    empties every table, and pytest-django restores the migrations' rows (serialized_rollback)
    only in some test orders, so such tests load the catalogue themselves."""
    load_root_cause_catalogue()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A data folder migrated once per run by the real `tower migrate` (a subprocess, SQLite),
    and a function copying its database into another folder: the command-line tests that need
    a migrated folder take a copy instead of migrating again (each migration is most of a
    minute on a busy machine)."""
    import os
    import sqlite3
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("migrated")
    env = {**os.environ, "TOWER_DATA_DIR": str(folder)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "tower.cli", "migrate", "--verbosity", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr

    def copy_to(target: Path) -> Path:
        target.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(folder / "tower.sqlite3")
        copy = sqlite3.connect(target / "tower.sqlite3")
        with copy:
            source.backup(copy)  # consistent even if a WAL file is left beside it
        source.close()
        copy.close()
        return target

    copy_to.folder = folder  # the folder `tower migrate` wrote into
    return copy_to


@pytest.fixture
def scratch(transactional_db, tmp_path):
    """For migration tests: an empty database beside the test database (a file on SQLite, a database on
    PostgreSQL), behind a connection set for this test only (not in settings.DATABASES, which
    Django's test case allows), dropped afterwards."""
    import copy

    from django.db import connections
    from django.db.utils import load_backend

    default = connections["default"]
    config = copy.deepcopy(default.settings_dict)
    if default.vendor == "sqlite":
        config["NAME"] = str(tmp_path / "scratch.sqlite3")
    else:
        config["NAME"] = f"{default.settings_dict['NAME']}_scratch"
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias="migration_scratch")
    connections["migration_scratch"] = connection
    try:
        yield connection
    finally:
        connection.close()
        del connections["migration_scratch"]
        if default.vendor != "sqlite":
            with default.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
