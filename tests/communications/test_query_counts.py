"""The one-voice pages run the same number of queries with one notice as with many notices,
lines, acknowledgements and replies (no query per row)."""

from __future__ import annotations

import pytest

from tests.communications.conftest import send
from tower.communications import services

pytestmark = pytest.mark.django_db


def pages(notice, line) -> list[tuple[str, str]]:
    return [
        ("acme_viewer", "/communications/inbox/"),
        ("acme_staff", "/communications/inbox/"),
        ("acme_viewer", "/communications/inbox/count/"),
        ("acme_viewer", f"/communications/notices/{notice.pk}/"),
        ("acme_staff", f"/communications/notices/{notice.pk}/"),
        ("acme_viewer", "/communications/"),
        ("admin", "/communications/?client=ACME&sort=kind"),
        ("acme_staff", "/communications/?order=ACME-SO-2001"),
        ("acme_viewer", "/communications/export.csv"),
        ("acme_staff", f"/communications/lines/{line.pk}/"),
        ("acme_staff", f"/communications/notices/new/?lines={line.pk}"),
    ]


def test_pages_run_a_bounded_number_of_queries(
    world, client, open_lines, django_assert_num_queries, django_assert_max_num_queries
):
    def user(who):
        return world.admin if who == "admin" else getattr(world, who)

    first = send(world, [open_lines[0]])
    counts = {}
    for who, url in pages(first, open_lines[0]):
        client.force_login(user(who))
        client.get(url)  # warm up
        with django_assert_max_num_queries(40, info=url) as queries:
            assert client.get(url).status_code == 200, url
        counts[(who, url)] = len(queries)

    # Many more notices, lines, acknowledgements and replies on the same line and order.
    for n in range(6):
        notice = send(world, open_lines, cause=f"Cause {n}")
        services.acknowledge_notice(notice=notice, user=world.acme_viewer, comment=f"ok {n}")
        services.acknowledge_notice(notice=notice, user=world.acme_approver)
        services.reply_to_notice(notice=notice, user=world.acme_approver, text=f"Question {n}")
        services.reply_to_notice(notice=notice, user=world.acme_staff, text=f"Answer {n}")
    for (who, url), (_, small_url) in zip(pages(notice, open_lines[0]), counts, strict=True):
        client.force_login(user(who))
        client.get(url)
        with django_assert_num_queries(counts[(who, small_url)], info=f"{who} {url}"):
            assert client.get(url).status_code == 200, url
