"""A client project's lessons on its page: the fragment tower.improvement serves and the project
page loads by URL (projects sit below improvement), where else each lesson applies and whether
it was spread there, the link to record one from the project, and isolation."""

from tests.projects.world import project_world
from tower.improvement import services
from tower.improvement.models import Lesson
from tower.masterdata.models import FunctionalArea, Site
from tower.tenancy.scoping import SYSTEM


def lesson_of(project, title, *, user=SYSTEM):
    return services.record_lesson(
        client=project.client,
        title=title,
        source="project",
        project=project,
        what_happened="The engineering batch waited for the API",
        lesson="Qualify a second API supplier before the transfer",
        user=user,
    )


def test_the_project_page_loads_its_lessons_with_where_they_were_spread(world, client):
    project = project_world(world, world.acme).project
    lesson = lesson_of(project, "Second API supplier early")
    services.record_lesson(
        client=world.acme, title="Not from this project", source="other", what_happened="x",
        lesson="y", user=SYSTEM,
    )  # fmt: skip
    us1 = services.add_application(lesson=lesson, site=Site.objects.get(code="US1"), user=SYSTEM)
    services.add_application(
        lesson=lesson, area=FunctionalArea.objects.get(code="materials"), user=SYSTEM
    )
    services.record_spread(application=us1, status="spread", note="Told US1", user=SYSTEM)
    url = f"/lessons/project/{project.pk}/"
    client.force_login(world.acme_staff)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'hx-get="{url}"' in page
    fragment = client.get(url)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.count("data-lesson=") == 1
    assert "Second API supplier early" in html and "Not from this project" not in html
    assert "Site US1" in html and ">Spread<" in html
    assert "Process area Materials and procurement" in html and ">To spread<" in html
    record = f"/lessons/new/?client=ACME&amp;project={project.code}"
    assert record in html
    # The form arrives with the project named as the source.
    form = client.get(f"/lessons/new/?client=ACME&project={project.code}").content.decode()
    assert f'value="{project.code}"' in form
    assert '<option value="project" selected>' in form


def test_empty_state_and_client_users_read_only(world, client):
    project = project_world(world, world.acme).project
    client.force_login(world.acme_staff)
    html = client.get(f"/lessons/project/{project.pk}/").content.decode()
    assert "No lesson learned from this project yet." in html
    lesson_of(project, "Second API supplier early")
    client.force_login(world.acme_viewer)
    html = client.get(f"/lessons/project/{project.pk}/").content.decode()
    assert "Second API supplier early" in html
    assert "/lessons/new/" not in html


def test_another_clients_project_is_not_found(world, client):
    theirs = project_world(world, world.globex).project
    lesson_of(theirs, "globex lesson")
    lessons = Lesson.objects.count()
    client.force_login(world.acme_staff)
    assert client.get(f"/lessons/project/{theirs.pk}/").status_code == 404
    assert client.get("/lessons/project/987654321/").status_code == 404
    # A globex project code named beside ACME prefills nothing.
    form = client.get(f"/lessons/new/?client=ACME&project={theirs.code}").content.decode()
    assert theirs.code not in form
    assert Lesson.objects.count() == lessons


def test_the_fragment_runs_a_bounded_number_of_queries(
    world, client, django_assert_max_num_queries
):
    project = project_world(world, world.acme).project
    lesson_of(project, "First")
    client.force_login(world.acme_staff)
    url = f"/lessons/project/{project.pk}/"
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        lesson = lesson_of(project, f"Lesson {n}")
        services.add_application(lesson=lesson, site=Site.objects.get(code="US1"), user=SYSTEM)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
