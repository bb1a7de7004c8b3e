"""Writes of the process map, by CMO admins only, each audited (django-simple-history, with the
acting user and a reason) and taking the acting user as a keyword."""

from __future__ import annotations

from django.db import transaction

from tower.masterdata.models import FunctionalArea, Site
from tower.processes import defaults
from tower.processes.models import (
    ActivityPackage,
    Department,
    Interface,
    InterfaceTrace,
    RaciRole,
    Responsibility,
    Task,
)
from tower.tenancy.scoping import is_cmo_admin
from tower.workflow import NotAllowed, WorkflowError, audit_as


def _require_admin(user, action: str) -> None:
    if not is_cmo_admin(user):
        raise NotAllowed(f"Only a CMO admin may {action}.")


def _name(value: str, what: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkflowError(f"{what} is required.")
    if len(value) > limit or any(ord(ch) < 32 for ch in value):
        raise WorkflowError(f"{what} must be one line of at most {limit} characters.")
    return value


def _save(instance, user, reason: str):
    audit_as(instance, user, reason)
    instance.save()
    return instance


def _roles(raci: dict[str, str]) -> dict[str, str]:
    """Each department's letter, checked: R, A, C or I of known departments, at least one
    Responsible and exactly one Accountable."""
    roles = {code: role for code, role in raci.items() if role}
    if bad := sorted(set(roles.values()) - set(RaciRole.values)):
        raise WorkflowError(f"Roles are R, A, C or I; not {', '.join(bad)}.")
    known = set(Department.objects.filter(code__in=roles).values_list("code", flat=True))
    if missing := sorted(set(roles) - known):
        raise WorkflowError(f"There is no department {', '.join(missing)}.")
    if list(roles.values()).count("R") < 1 or list(roles.values()).count("A") != 1:
        raise WorkflowError("A package needs at least one Responsible and exactly one Accountable.")
    return roles


def add_department(*, user, code: str, name: str, reason: str) -> Department:
    """A department the sites' maps can name (shared by every site)."""
    _require_admin(user, "change the process map")
    code = _name(code, "The department's code", limit=40).lower()
    if not all(ch.isalnum() or ch == "_" for ch in code):
        raise WorkflowError("The department's code holds letters, digits and _ only.")
    if Department.objects.filter(code=code).exists():
        raise WorkflowError(f"There already is a department {code!r}.")
    position = Department.objects.count() + 1
    return _save(
        Department(
            code=code, name=_name(name, "The department's name", limit=100), position=position
        ),
        user,
        reason,
    )


def edit_package(
    *, user, package: ActivityPackage, name: str, raci: dict[str, str], reason: str
) -> ActivityPackage:
    """Rename a package and set each department's R / A / C / I (same rules as add_package)."""
    _require_admin(user, "change the process map")
    name = _name(name, "The activity package's name")
    if (
        ActivityPackage.objects.filter(site=package.site_id, task=package.task, name=name)
        .exclude(pk=package.pk)
        .exists()
    ):
        raise WorkflowError(f"This task already has the package {name!r} at this site.")
    roles = _roles(raci)
    if name != package.name:
        package.name = name
        _save(package, user, reason)
    current = {r.department_id: r for r in package.responsibilities.all()}
    for code, responsibility in current.items():
        if code not in roles:
            audit_as(responsibility, user, reason)
            responsibility.delete()
    for code, role in roles.items():
        responsibility = current.get(code)
        if responsibility is None:
            _save(Responsibility(package=package, department_id=code, role=role), user, reason)
        elif responsibility.role != role:
            responsibility.role = role
            _save(responsibility, user, reason)
    return package


def add_package(
    *, user, site: Site, task: str, name: str, raci: dict[str, str], reason: str
) -> ActivityPackage:
    """A new activity package of `task` at `site`, with each department's R / A / C / I."""
    _require_admin(user, "change the process map")
    if task not in Task.values:
        raise WorkflowError(f"There is no main task {task!r}.")
    name = _name(name, "The activity package's name")
    if ActivityPackage.objects.filter(site=site, task=task, name=name).exists():
        raise WorkflowError(f"{site.code} already has the package {name!r} under this task.")
    roles = _roles(raci)
    position = ActivityPackage.objects.filter(site=site).count() + 1
    package = _save(
        ActivityPackage(site=site, task=task, name=name, position=position), user, reason
    )
    for code, role in roles.items():
        _save(Responsibility(package=package, department_id=code, role=role), user, reason)
    return package


def remove_package(*, user, package: ActivityPackage, reason: str) -> None:
    _require_admin(user, "change the process map")
    audit_as(package, user, reason)
    for responsibility in package.responsibilities.all():
        audit_as(responsibility, user, reason)
        responsibility.delete()
    package.delete()


def add_interface(
    *, user, site: Site, from_department: str, to_department: str, name: str, reason: str
) -> Interface:
    _require_admin(user, "change the process map")
    if from_department == to_department:
        raise WorkflowError("A hand-over is between two different departments.")
    if not Department.objects.filter(code__in=[from_department, to_department]).count() == 2:
        raise WorkflowError("Choose two departments of the list.")
    if Interface.objects.filter(
        site=site, from_department=from_department, to_department=to_department
    ).exists():
        raise WorkflowError("This hand-over is already on the map.")
    return _save(
        Interface(
            site=site,
            from_department_id=from_department,
            to_department_id=to_department,
            name=_name(name, "What is handed over"),
        ),
        user,
        reason,
    )


def remove_interface(*, user, interface: Interface, reason: str) -> None:
    """A hand-over off the map; the functional areas traced to it then trace to none."""
    _require_admin(user, "change the process map")
    for trace in interface.traces.all():
        audit_as(trace, user, reason)
        trace.delete()
    audit_as(interface, user, reason)
    interface.delete()


def trace_area(*, user, site: Site, area: str, interface: Interface | None, reason: str) -> None:
    """Failed lines of functional area `area` at `site` trace to `interface` (None: to none)."""
    _require_admin(user, "change the process map")
    if not FunctionalArea.objects.filter(code=area).exists():
        raise WorkflowError(f"There is no functional area {area!r}.")
    if interface is not None and interface.site_id != site.pk:
        raise WorkflowError("That hand-over is on another site's map.")
    existing = InterfaceTrace.objects.filter(site=site, area_id=area).first()
    if interface is None:
        if existing is not None:
            audit_as(existing, user, reason)
            existing.delete()
        return
    trace = existing or InterfaceTrace(site=site, area_id=area)
    trace.interface = interface
    _save(trace, user, reason)


@transaction.atomic
def seed_default_map(*, user, site: Site) -> bool:
    """The default map (tower.processes.defaults) for a site without one; False if it has one."""
    _require_admin(user, "change the process map")
    if ActivityPackage.objects.filter(site=site).exists():
        return False
    reason = "default process map"
    for code, name in defaults.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    for task, name, raci in defaults.PACKAGES:
        add_package(user=user, site=site, task=task, name=name, raci=raci, reason=reason)
    for source, target, name, areas in defaults.INTERFACES:
        interface = add_interface(
            user=user,
            site=site,
            from_department=source,
            to_department=target,
            name=name,
            reason=reason,
        )
        for area in areas:
            trace_area(user=user, site=site, area=area, interface=interface, reason=reason)
    return True


def save_record(*, user, record, reason: str) -> None:
    """A map record saved from the admin: CMO admins only, audited; a trace stays on its site."""
    _require_admin(user, "change the process map")
    if isinstance(record, InterfaceTrace) and record.interface.site_id != record.site_id:
        raise WorkflowError("That hand-over is on another site's map.")
    _save(record, user, reason)


def delete_record(*, user, record, reason: str) -> None:
    _require_admin(user, "change the process map")
    audit_as(record, user, reason)
    record.delete()
