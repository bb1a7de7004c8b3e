"""The filter bar of the figure pages: the choices a user may pick from (only what they may see)."""

from tower.masterdata.models import Product
from tower.performance.dashboard import FigureScope
from tower.performance.forms import ScopeForm, visible_sites
from tower.web.pages import options_html, period_presets

LINES_PER_PAGE = 50
SELECTED_FILTERS = ("client", "site", "product", "outcome", "kind", "delay", "area", "code")
SELECTED_FILTERS += ("status", "sort", "due")
ROOT_CAUSE_STATES = ("unclassified", "proposed", "approved", "disputed")


def filter_options(form: ScopeForm, figure_scope: FigureScope) -> dict:
    """Choices for the filter bar: only what the user may see."""
    products = []
    if len(figure_scope.clients) == 1:
        products = list(
            Product.objects.filter(client=figure_scope.clients[0])
            .visible_to(form.principal)
            .values_list("code", "name")
        )
    # The values as typed, every key present: a missing key would make each template lookup
    # fall back to slow attribute probing (hundreds of times in a product list).
    selected = {name: str(form.data.get(name, "")) for name in SELECTED_FILTERS}
    return {
        "period_presets": period_presets(selected, form.default_period()[1]),
        "selected": selected,
        "client_choices": form.clients,
        # Only the sites that made something for the clients in view: the ones the form accepts.
        "site_choices": list(
            visible_sites(form.clients, form.principal).values_list("code", "name")
        ),
        "product_choices": products,
        "product_options": options_html(products, selected["product"]),
    }
