"""Editing a site's process map on the web (/process/<site>/edit/): every step through the
audited services, bad input as a message, CMO admins only (everyone else reads)."""

from tower.masterdata.models import Site
from tower.processes import services
from tower.processes.models import (
    ActivityPackage,
    Department,
    Interface,
    InterfaceTrace,
    Responsibility,
)
from tower.tenancy.scoping import SYSTEM

URL = "/process/EU1/edit/"


def raci(package) -> dict[str, str]:
    return dict(Responsibility.objects.filter(package=package).values_list("department_id", "role"))


def test_a_cmo_admin_builds_a_sites_map_on_the_page(world, client):
    client.force_login(world.admin)
    empty = client.get(URL)
    assert empty.status_code == 200
    assert "No activity package at this site yet." in empty.content.decode()
    assert 'href="/process/EU1/edit/"' in client.get("/process/").content.decode()
    # A department (the seeded ones are there; kept in the history with the reason).
    client.post(
        URL, {"op": "department", "code": "Engineering", "name": "Engineering", "reason": "new"}
    )
    engineering = Department.objects.get(code="engineering")
    assert engineering.name == "Engineering"
    assert engineering.history.first().history_change_reason == "new"
    assert engineering.history.first().history_user == world.admin
    assert "Engineering" in client.get(URL).content.decode()
    again = client.post(URL, {"op": "department", "code": "qc", "name": "QC"}, follow=True)
    assert "There already is a department" in again.content.decode()
    # A package with R / A / C / I.
    client.post(
        URL,
        {
            "op": "package",
            "task": "plan",
            "name": "Weekly schedule",
            "raci_planning": "R",
            "raci_production": "A",
            "raci_qc": "I",
        },
    )
    package = ActivityPackage.objects.get(site__code="EU1")
    assert (package.task, package.name) == ("plan", "Weekly schedule")
    assert raci(package) == {"planning": "R", "production": "A", "qc": "I"}
    # Edited: QC consulted instead of informed, production no longer named, planning accountable.
    client.post(
        URL,
        {
            "op": "package_edit",
            "package": str(package.pk),
            "name": "Weekly production schedule",
            "raci_planning": "A",
            "raci_qc": "C",
            "raci_production": "R",
        },
    )
    package.refresh_from_db()
    assert package.name == "Weekly production schedule"
    assert raci(package) == {"planning": "A", "qc": "C", "production": "R"}
    # A hand-over, a functional area traced to it, then the hand-over removed with its trace.
    client.post(
        URL,
        {
            "op": "interface",
            "from_department": "production",
            "to_department": "qc",
            "name": "Batch",
        },
    )
    interface = Interface.objects.get(site__code="EU1")
    client.post(URL, {"op": "trace", "area": "manufacturing", "interface": str(interface.pk)})
    assert InterfaceTrace.objects.get(site__code="EU1", area="manufacturing").interface == interface
    page = client.get(URL).content.decode()
    assert "Weekly production schedule" in page and "Production → Quality control" in page
    client.post(URL, {"op": "interface_remove", "pk": str(interface.pk), "reason": "merged"})
    assert not Interface.objects.filter(site__code="EU1").exists()
    assert not InterfaceTrace.objects.filter(site__code="EU1").exists()
    assert Interface.history.first().history_change_reason == "merged"
    client.post(URL, {"op": "package_remove", "pk": str(package.pk)})
    assert not ActivityPackage.objects.filter(site__code="EU1").exists()
    assert ActivityPackage.history.first().history_change_reason == (
        "changed on the process map page"
    )


def test_bad_input_is_a_message_and_changes_nothing(world, client):
    client.force_login(world.admin)
    two_accountable = {
        "op": "package",
        "task": "plan",
        "name": "Schedule",
        "raci_planning": "A",
        "raci_production": "A",
    }
    page = client.post(URL, two_accountable, follow=True).content.decode()
    assert "exactly one Accountable" in page
    page = client.post(URL, {**two_accountable, "raci_planning": "X"}, follow=True)
    assert "Nothing was changed" in page.content.decode()
    page = client.post(URL, {**two_accountable, "task": "dance"}, follow=True)
    assert "Nothing was changed" in page.content.decode()
    same = {"op": "interface", "from_department": "planning", "to_department": "planning"}
    page = client.post(URL, {**same, "name": "x"}, follow=True).content.decode()
    assert "two different departments" in page
    page = client.post(URL, {"op": "dance"}, follow=True).content.decode()
    assert "choose one of the forms on the page" in page
    page = client.post(URL, {"op": "package_remove", "pk": "987654"}, follow=True)
    assert "not on the map of this site" in page.content.decode()
    page = client.post(URL, {"op": "department", "code": "a b", "name": "x"}, follow=True)
    assert "letters, digits and _ only" in page.content.decode()
    assert not ActivityPackage.objects.exists() and not Interface.objects.exists()
    assert client.get("/process/NOPE/edit/").status_code == 404


def test_only_cmo_admins_edit_and_everyone_reads(world, client):
    for user in (world.acme_staff, world.acme_viewer):
        client.force_login(user)
        page = client.get(URL)
        assert page.status_code == 200
        assert 'name="op"' not in page.content.decode()
        assert "CMO admins keep it current" in page.content.decode()
        assert 'href="/process/EU1/edit/"' not in client.get("/process/").content.decode()
        response = client.post(URL, {"op": "department", "code": "sales", "name": "Sales"})
        assert response.status_code == 403
    assert not Department.objects.filter(code="sales").exists()


def test_the_edit_page_runs_a_bounded_number_of_queries(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.admin)
    eu1 = Site.objects.get(code="EU1")
    services.seed_default_map(user=SYSTEM, site=eu1)
    with django_assert_max_num_queries(20) as few:
        assert client.get(URL).status_code == 200
    for n in range(5):
        services.add_package(
            user=SYSTEM,
            site=eu1,
            task="ship",
            name=f"Package {n}",
            raci={"warehouse": "R", "qa": "A", "qc": "C", "planning": "I"},
            reason="more",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200


def test_a_department_changed_in_the_admin_goes_through_the_audited_services(world, client):
    client.force_login(world.admin)
    quality = Department.objects.get(code="qc")
    url = f"/admin/processes/department/{quality.pk}/change/"
    response = client.post(url, {"code": "qc", "name": "Quality control lab", "position": 4})
    assert response.status_code == 302, response.content.decode()[:2000]
    quality.refresh_from_db()
    assert quality.name == "Quality control lab"
    latest = quality.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        world.admin,
        "changed in the admin",
    )
