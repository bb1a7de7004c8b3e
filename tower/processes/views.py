"""The end-to-end process map (/process/): per site, the main tasks and their activity packages
with each department's R / A / C / I, and the hand-overs between departments with the failed
lines traced to them (counts, OTIF points lost, links to the lines), for the dashboard's filters.

/process/<site>/edit/ is where CMO admins edit a site's map (departments, packages and their
R / A / C / I, hand-overs, the functional area -> hand-over traces), each step through the
audited services. The map is the CMO's, no client's: everyone signed in reads it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tower.masterdata.models import FunctionalArea, Site
from tower.performance.forms import ScopeForm, visible_sites
from tower.performance.views.filter_bar import filter_options
from tower.processes import services
from tower.processes.forms import (
    DepartmentForm,
    InterfaceForm,
    PackageEditForm,
    PackageForm,
    RemoveForm,
    TraceForm,
)
from tower.processes.models import (
    TASK_ORDER,
    ActivityPackage,
    Department,
    Interface,
    InterfaceTrace,
    RaciRole,
)
from tower.processes.queries import site_maps
from tower.tenancy.scoping import is_cmo_admin, sees_client_names
from tower.web.pages import form_refused, render_figures_page, run_step
from tower.workflow import WorkflowError


@login_required
@require_GET
def process_map(request):
    form = ScopeForm(request.GET, principal=request.user)
    valid = form.is_valid()
    figure_scope = form.scope()
    sites = visible_sites(form.clients, request.user)
    if is_cmo_admin(request.user):
        # CMO admins also see the maps of sites without figures yet.
        sites = Site.objects.all()
    if figure_scope.site:
        sites = sites.filter(code=figure_scope.site)
    maps, measured = site_maps(list(sites.order_by("code")), figure_scope)
    ranking = sorted(
        ((m.site, h) for m in maps for h in m.hand_overs if h.failed),
        key=lambda pair: (-pair[1].failed, pair[0].code, pair[1].interface.pk),
    )
    context = {
        "form": form,
        "scope": figure_scope,
        "show_clients": sees_client_names(request.user),
        "maps": maps,
        "measured": measured,
        "ranking": ranking[:10],
        "can_edit": is_cmo_admin(request.user),
        **filter_options(form, figure_scope),
    }
    return render_figures_page(
        request,
        "processes/map.html",
        "processes/_map_body.html",
        context,
        status=200 if valid else 400,
    )


# ---------------------------------------------------------------------------------------------
# Editing a site's map


def _site_map(site: Site) -> dict:
    departments = list(Department.objects.all())
    packages = sorted(
        ActivityPackage.objects.filter(site=site).prefetch_related("responsibilities"),
        key=lambda p: (TASK_ORDER[p.task], p.position, p.pk),
    )
    interfaces = list(
        Interface.objects.filter(site=site).select_related("from_department", "to_department")
    )
    traces = {t.area_id: t.interface_id for t in InterfaceTrace.objects.filter(site=site)}
    areas = list(FunctionalArea.objects.order_by("code"))
    by_pk = {i.pk: i for i in interfaces}
    return {
        "departments": departments,
        "packages": [
            (
                p,
                [
                    (d, {r.department_id: r.role for r in p.responsibilities.all()}.get(d.code, ""))
                    for d in departments
                ],
            )
            for p in packages
        ],
        "interfaces": interfaces,
        "areas": [(a, by_pk.get(traces.get(a.code))) for a in areas],
        "area_list": areas,
    }


def _step(request, site: Site, found: dict):
    """The posted step (its form names it in `op`), run through the services."""
    op = request.POST.get("op", "")
    departments = found["departments"]
    forms = {
        "department": lambda: DepartmentForm(request.POST),
        "package": lambda: PackageForm(request.POST, departments=departments),
        "package_edit": lambda: PackageEditForm(request.POST, departments=departments),
        "package_remove": lambda: RemoveForm(request.POST),
        "interface": lambda: InterfaceForm(request.POST, departments=departments),
        "interface_remove": lambda: RemoveForm(request.POST),
        "trace": lambda: TraceForm(
            request.POST, areas=found["area_list"], interfaces=found["interfaces"]
        ),
    }
    back = reverse("processes:edit", args=[site.code])
    if op not in forms:
        messages.error(request, "Nothing was changed: choose one of the forms on the page.")
        return redirect(back)
    form = forms[op]()
    if not form.is_valid():
        return form_refused(request, back, form, "Nothing was changed.")
    data, user, why = form.cleaned_data, request.user, form.why()

    def package():
        pk = data.get("package") or data.get("pk")
        found_package = ActivityPackage.objects.filter(site=site, pk=pk).first()
        if found_package is None:
            raise WorkflowError("That activity package is not on the map of this site.")
        return found_package

    def interface(pk):
        found_interface = Interface.objects.filter(site=site, pk=pk).first()
        if found_interface is None:
            raise WorkflowError("That hand-over is not on the map of this site.")
        return found_interface

    def department():
        services.add_department(user=user, code=data["code"], name=data["name"], reason=why)
        return f"Department {data['name']} added: name it in the packages and hand-overs."

    def add_package():
        services.add_package(
            user=user, site=site, task=data["task"], name=data["name"], raci=form.raci(), reason=why
        )
        return f"Activity package {data['name']} added."

    def edit_package():
        services.edit_package(
            user=user, package=package(), name=data["name"], raci=form.raci(), reason=why
        )
        return f"Activity package {data['name']} saved."

    def remove_package():
        found_package = package()
        services.remove_package(user=user, package=found_package, reason=why)
        return f"Activity package {found_package.name} removed."

    def add_interface():
        services.add_interface(
            user=user,
            site=site,
            from_department=data["from_department"],
            to_department=data["to_department"],
            name=data["name"],
            reason=why,
        )
        return "Hand-over added."

    def remove_interface():
        services.remove_interface(user=user, interface=interface(data["pk"]), reason=why)
        return "Hand-over removed; the functional areas traced to it now trace to none."

    def trace():
        target = interface(data["interface"]) if data["interface"] else None
        services.trace_area(user=user, site=site, area=data["area"], interface=target, reason=why)
        return "Trace saved: the map counts that area's failed lines there."

    steps = {
        "department": department,
        "package": add_package,
        "package_edit": edit_package,
        "package_remove": remove_package,
        "interface": add_interface,
        "interface_remove": remove_interface,
        "trace": trace,
    }
    return run_step(request, back, steps[op])


@login_required
@require_http_methods(["GET", "POST"])
def edit_map(request, code: str):
    site = get_object_or_404(Site, code=code)
    can_edit = is_cmo_admin(request.user)
    found = _site_map(site)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only a CMO admin may change the process map.")
        return _step(request, site, found)
    context = {
        "site": site,
        "can_edit": can_edit,
        "roles": RaciRole.choices,
        "package_form": PackageForm(departments=found["departments"]),
        "interface_form": InterfaceForm(departments=found["departments"]),
        "department_form": DepartmentForm(),
        "nav_active": "processes:map",
        **found,
    }
    return render(request, "processes/edit.html", context)
