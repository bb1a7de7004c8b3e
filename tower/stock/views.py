"""The client's stock (kpis.md 8): the list with each row's cover in days, and the update of one
row by the client's users or CMO staff. Every read starts from tenancy.scoping; the write goes
through tower.stock.services (role, bounds, audit)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tower.masterdata.models import Product
from tower.stock.forms import StockFilterForm, StockUpdateForm
from tower.stock.models import ClientStock
from tower.stock.queries import SORTS, cover_end, latest_only, with_cover
from tower.stock.services import STOCK_EDITORS, update_stock
from tower.tenancy.scoping import get_or_404, role_for, sees_client_names, visible_clients

ROWS_PER_PAGE = 50
HISTORY_SHOWN = 50
NAV = "stock:list"


@login_required
@require_GET
def stock_list(request):
    clients = list(visible_clients(request.user).order_by("code"))
    form = StockFilterForm(request.GET, clients=clients)
    valid = form.is_valid()
    # The filters that could be read apply; the others are named in a notice (status 400).
    data = form.cleaned_data
    rows = ClientStock.objects.all().visible_to(request.user)
    client = data.get("client")
    if client is not None:
        rows = rows.filter(client=client)
    if data.get("product"):
        rows = rows.filter(product__code=data["product"].strip())
    if data.get("location"):
        rows = rows.filter(location__icontains=data["location"].strip())
    if data.get("latest"):
        rows = latest_only(rows)
    sort = data.get("sort") or "cover"
    column = SORTS[sort.removeprefix("-")]
    rows = (
        with_cover(rows)
        .select_related("client", "product")
        .order_by(f"-{column}" if sort.startswith("-") else column, "-date", "pk")
    )
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.runs_out = cover_end(row)

    in_view = [client] if client else clients
    products = []
    if len(in_view) == 1:
        products = list(
            Product.objects.filter(client=in_view[0])
            .visible_to(request.user)
            .order_by("code")
            .values_list("code", "name")
        )
    selected = {name: str(form.data.get(name, "")) for name in form.fields}
    selected["latest"] = "1" if data.get("latest") else ""
    context = {
        "form": form,
        "page_obj": page,
        "selected": selected,
        "sort_links": _sort_links(request, sort),
        "client_choices": clients,
        "product_choices": products,
        "show_clients": sees_client_names(request.user),
        "can_edit": {c.pk for c in clients if role_for(request.user, c) in STOCK_EDITORS},
        "filtered": any(data.get(k) for k in ("client", "product", "location", "latest")),
        "nav_active": NAV,
    }
    return render(request, "stock/stock_list.html", context, status=200 if valid else 400)


def _sort_links(request, current: str) -> dict[str, dict]:
    """Per sortable column: the URL that sorts by it (toggling direction) and its state."""
    links = {}
    for name in SORTS:
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{name}" if current == name else name
        state = "asc" if current == name else "desc" if current == f"-{name}" else ""
        links[name] = {"url": f"?{params.urlencode()}", "state": state}
    return links


@login_required
@require_http_methods(["GET", "POST"])
def stock_row(request, pk: int):
    row = get_or_404(ClientStock.objects.select_related("client", "product"), request.user, pk=pk)
    can_edit = role_for(request.user, row.client) in STOCK_EDITORS
    if request.method == "POST":
        form = StockUpdateForm(request.POST)
        if form.is_valid():
            saved = form.run(
                lambda data: update_stock(
                    row=row,
                    on_hand=data["on_hand"],
                    daily_demand=data["daily_demand"],
                    date=data["date"],
                    user=request.user,
                )
            )
            if saved is not None:
                messages.success(
                    request,
                    f"Stock of {row.product.code} in {row.location} saved: "
                    f"{saved.on_hand:,.10g} on hand on {saved.date:%Y-%m-%d}, "
                    f"{saved.cover_days:,.1f} days of cover.",
                )
                return redirect("stock:row", pk=row.pk)
    else:
        form = StockUpdateForm(
            initial={"date": row.date, "on_hand": row.on_hand, "daily_demand": row.daily_demand}
        )
    history = list(
        row.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :HISTORY_SHOWN
        ]
    )
    context = {
        "row": row,
        "runs_out": cover_end(row),
        "form": form if can_edit else None,
        "history": history,
        "show_clients": sees_client_names(request.user),
        "nav_active": NAV,
    }
    return render(request, "stock/stock_row.html", context, status=400 if form.errors else 200)
