"""Bad charters and lessons: clear errors, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from tower.improvement import services
from tower.improvement.models import ImprovementProject, Lesson
from tower.quality.models import Deviation
from tower.workflow import WorkflowError

from .conftest import charter


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"kpi": "otif_magic"},
            "'otif_magic' is not a KPI of the catalogue: choose one of otif_net",
        ),
        ({"kpi": ""}, "is not a KPI of the catalogue"),
        ({"baseline": -1.0}, r"baseline of Gross OTIF must be between 0.0 % and 100.0 %"),
        ({"target": 100.5}, r"target of Gross OTIF must be between 0.0 % and 100.0 %"),
        ({"baseline": float("nan")}, "baseline of Gross OTIF must be between"),
        ({"target": float("inf")}, "target of Gross OTIF must be between"),
        ({"baseline": 60.0, "target": 50.0}, "target must be above the baseline"),
        ({"kpi": "incident_rate", "baseline": 5.0, "target": 8.0}, "target must be below"),
        (
            {"kpi": "satisfaction", "baseline": 0.5, "target": 4.0},
            "between 1.00 of 5 and 5.00 of 5",
        ),
        ({"kpi": "oos_events", "baseline": -2.0, "target": 0.0}, "baseline of Stock-outs"),
        ({"title": "  "}, "Write the title"),
        ({"title": "x" * 201}, "too long"),
        ({"problem": "a\x00b"}, "control character"),
        ({"started_on": dt.date(1899, 12, 1)}, "years 1900 to 2999"),
        ({"sponsor": ""}, "Write the sponsor"),
    ],
)
def test_a_bad_charter_is_refused_with_a_clear_message(acme_data, people, overrides, message):
    with pytest.raises(WorkflowError, match=message):
        charter(acme_data, people, **overrides)
    assert not ImprovementProject.objects.exists()


def test_a_lesson_from_a_deviation_must_name_one_of_the_clients_deviations(
    acme_data, globex_data, people
):
    theirs = Deviation.objects.create(
        client=globex_data, number="GX-DEV-1", opened_date=dt.date(2026, 3, 1), severity="minor"
    )
    fields = {
        "client": acme_data,
        "title": "Cleaning validation",
        "source": "deviation",
        "what_happened": "x",
        "lesson": "y",
        "user": people["staff"],
    }
    with pytest.raises(WorkflowError, match="Name the deviation"):
        services.record_lesson(**fields)
    with pytest.raises(WorkflowError, match="not one of this client's deviations"):
        services.record_lesson(**fields, deviation=theirs)
    with pytest.raises(WorkflowError, match="not a source of lessons"):
        services.record_lesson(**fields | {"source": "rumour"})
    with pytest.raises(WorkflowError, match="escalation's reference"):
        services.record_lesson(**fields | {"source": "escalation"})
    assert not Lesson.objects.exists()


def test_a_client_lesson_is_not_spread_to_another_client(acme_data, globex_data, people):
    lesson = services.record_lesson(
        client=acme_data,
        title="Label check",
        source="other",
        what_happened="x",
        lesson="y",
        user=people["admin"],
    )
    with pytest.raises(WorkflowError, match="applies within that client only"):
        services.add_application(lesson=lesson, target_client=globex_data, user=people["admin"])
    with pytest.raises(WorkflowError, match="exactly one place"):
        services.add_application(lesson=lesson, user=people["admin"])
    own = services.add_application(lesson=lesson, target_client=acme_data, user=people["admin"])
    with pytest.raises(WorkflowError, match="already applies there"):
        services.add_application(lesson=lesson, target_client=acme_data, user=people["admin"])
    with pytest.raises(WorkflowError, match="spread in the future"):
        services.record_spread(
            application=own, status="spread", on=dt.date(2999, 1, 1), user=people["admin"]
        )
    with pytest.raises(WorkflowError, match="Write the note"):
        services.record_spread(application=own, status="not_applicable", user=people["admin"])
    services.record_spread(
        application=own,
        status="spread",
        on=dt.date(2026, 4, 1),
        note="Toolbox talk",
        user=people["staff"],
    )
    own.refresh_from_db()
    assert (own.status, own.spread_by, own.spread_on) == (
        "spread",
        people["staff"],
        dt.date(2026, 4, 1),
    )
    assert [h.status for h in own.history.order_by("history_date", "history_id")] == [
        "to_spread",
        "spread",
    ]


def test_a_lesson_from_a_project_names_one_of_the_clients_projects(acme_data, globex_data, people):
    from tower.projects.services import create_project

    def project(client, code):
        return create_project(
            client=client,
            code=code,
            name=f"{client.name} transfer",
            kind="tech_transfer",
            start_date=dt.date(2026, 1, 5),
            user=people["admin"],
        )

    ours, theirs = project(acme_data, "TT-1"), project(globex_data, "GX-TT-1")
    fields = {
        "client": acme_data,
        "title": "Artwork freeze at kick-off",
        "source": "project",
        "what_happened": "x",
        "lesson": "y",
        "user": people["staff"],
    }
    with pytest.raises(WorkflowError, match="Name the client project"):
        services.record_lesson(**fields)
    with pytest.raises(WorkflowError, match="not one of this client's projects"):
        services.record_lesson(**fields, project=theirs)
    lesson = services.record_lesson(**fields, project=ours)
    assert lesson.project == ours and lesson.reference == ""
    older = services.record_lesson(**fields, reference="TT-2019-01")
    assert older.project is None and older.reference == "TT-2019-01"
