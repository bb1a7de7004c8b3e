"""The end-to-end process map (/process/): per site, the main tasks and their activity packages
with each department's R / A / C / I, and the hand-overs between departments with the failed
lines traced to them (counts, OTIF points lost, links to the lines), for the dashboard's filters.
"""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from tower.masterdata.models import Site
from tower.performance.forms import ScopeForm, visible_sites
from tower.performance.views.filter_bar import filter_options
from tower.processes.queries import site_maps
from tower.tenancy.scoping import is_cmo_admin, sees_client_names
from tower.web.pages import render_figures_page


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
