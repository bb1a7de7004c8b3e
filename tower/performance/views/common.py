"""What the figure pages share: scope query strings, filter choices, partial rendering."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from tower.masterdata.models import Product, Site
from tower.performance.dashboard import (
    FigureScope,
)
from tower.performance.forms import (
    ScopeForm,
)
from tower.performance.models import MonthlyOtif

LINES_PER_PAGE = 50
ROOT_CAUSE_STATES = ("unclassified", "proposed", "approved", "disputed")


def scope_query(figure_scope: FigureScope, **extra) -> str:
    """The query string that reproduces a scope (plus extra filters) on another page."""
    params = {
        "client": figure_scope.clients[0].code if len(figure_scope.clients) == 1 else "",
        "site": figure_scope.site or "",
        "product": figure_scope.product or "",
        "from": f"{figure_scope.start:%Y-%m}",
        "to": f"{figure_scope.end:%Y-%m}",
        **extra,
    }
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def lines_url(figure_scope: FigureScope, **extra) -> str:
    return f"{reverse('performance:lines')}?{scope_query(figure_scope, **extra)}"


def filter_options(form: ScopeForm, figure_scope: FigureScope) -> dict:
    """Choices for the filter bar: only what the user may see."""
    products = []
    if len(figure_scope.clients) == 1:
        products = list(
            Product.objects.filter(client=figure_scope.clients[0]).values_list("code", "name")
        )
    return {
        "client_choices": form.clients,
        # Only the sites that made something for the clients in view.
        "site_choices": list(
            Site.objects.filter(
                pk__in=MonthlyOtif.objects.filter(client__in=[c.pk for c in form.clients]).values(
                    "site_id"
                )
            ).values_list("code", "name")
        ),
        "product_choices": products,
    }


def render_figures_page(request, template: str, partial: str, context: dict, status: int = 200):
    """Full page, or only the part below the filters when htmx asks for it."""
    name = partial if request.htmx and not request.htmx.boosted else template
    return render(request, name, context, status=status)
