"""The two-client world of the web tests (tests/web/conftest.py), with open lines to notify."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.conftest import PASSWORD, World, build_world
from tower.communications import services
from tower.orders.models import OrderLine

__all__ = ["PASSWORD"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(acme, globex, write_csv, run_import, settings, tmp_path) -> World:
    settings.JOBS_DIR = tmp_path / "jobs"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_world(acme, globex, write_csv, run_import, settings.JOBS_DIR)


@pytest.fixture
def open_lines(world, write_csv, run_import):
    """Three more open ACME lines due in 2027: two of order ACME-SO-2001, one of ACME-SO-2002,
    all of product ACME-AMOXI-500 except line 2 of SO-2001."""
    report = run_import(
        write_csv(
            "client,order,line,product,site,ordered_qty,committed_date,status\n"
            "ACME,ACME-SO-2001,1,ACME-AMOXI-500,EU1,10,2027-01-20,open\n"
            "ACME,ACME-SO-2001,2,ACME-IBUPRO-200,EU1,10,2027-01-22,open\n"
            "ACME,ACME-SO-2002,1,ACME-AMOXI-500,EU1,10,2027-02-01,open\n",
            "open.csv",
        )
    )
    assert report.ok, report.errors
    return list(
        OrderLine.objects.filter(client=world.acme, order__number__startswith="ACME-SO-200")
        .select_related("order")
        .order_by("order__number", "line_number")
    )


def send(world, lines, *, cause="Batch held in QC", expected=dt.date(2027, 2, 10), **extra):
    return services.send_notice(
        client=lines[0].client,
        lines=lines,
        cause=cause,
        expected_date=expected,
        remedial_actions="Release by Friday, second shift",
        cmo_contact="Ann Planner <ann@cmo.example>",
        user=world.acme_staff,
        **extra,
    )
