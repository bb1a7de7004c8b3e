"""A charter restricted to a site or product follows that site's or product's figure where the
KPI's records name them (issue 12), and says plainly when they do not.

ACME (tests/performance/conftest.py), gross OTIF, as of 2026-05-15:
    whole client  March 1 of 4 lines OTIF = 25 %    April 1 of 2 = 50 %
    site EU1      March PO-1/1 OTIF, PO-1/2 late   = 50 %    April PO-4/1 OTIF, PO-4/2 late = 50 %
    site EU2      March PO-2/1 short, PO-3/1 open  = 0 %     April only a cancelled line = no data
    EU1, AMX-500  March PO-1/1 = 100 %                       April PO-4/1 = 100 %
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tower.engine.kpi_catalogue import KPIS
from tower.improvement.queries import project_trend
from tower.masterdata.models import Product, Site
from tower.scorecards.measures import PLACES

from .conftest import AS_OF, charter
from .test_pages import signed_in


def values(project):
    return [p.value for p in project_trend(project, as_of=AS_OF).points]


@pytest.mark.parametrize(
    ("site", "product", "expected"),
    [
        (None, None, [None, 25.0, 50.0, None]),
        ("EU1", None, [None, 50.0, 50.0, None]),
        ("EU2", None, [None, 0.0, None, None]),
        ("EU1", "AMX-500", [None, 100.0, 100.0, None]),
    ],
)
def test_the_trend_is_of_the_charters_site_and_product(acme_data, people, site, product, expected):
    project = charter(
        acme_data,
        people,
        site=Site.objects.get(code=site) if site else None,
        product=Product.objects.get(client=acme_data, code=product) if product else None,
    )
    trend = project_trend(project, as_of=AS_OF)
    assert [p.value for p in trend.points] == expected
    assert trend.not_narrowed == ""
    assert trend.of == (
        f"Acme Pharma, {'site ' + site if site else 'every site'}, "
        f"{'product ' + product if product else 'every product'}"
    )


def test_a_client_wide_kpi_says_so_instead_of_posing_as_the_sites(acme_data, people):
    project = charter(
        acme_data,
        people,
        kpi="capa_on_time",
        baseline=50.0,
        target=90.0,
        site=Site.objects.get(code="EU1"),
    )
    trend = project_trend(project, as_of=AS_OF)
    assert trend.of == "Acme Pharma, every site, every product"
    assert trend.not_narrowed == (
        "CAPA on time is measured for the client as a whole only: the figures below are "
        "Acme Pharma's, not those of site EU1."
    )
    page = signed_in(people["viewer"]).get(reverse("improvement:project", args=[project.pk]))
    assert "measured for the client as a whole only" in page.content.decode()


def test_a_kpi_split_by_site_only_says_the_product_is_not_applied(acme_data, people):
    project = charter(
        acme_data,
        people,
        kpi="incident_rate",
        baseline=20.0,
        target=5.0,
        site=Site.objects.get(code="EU1"),
        product=Product.objects.get(client=acme_data, code="AMX-500"),
    )
    trend = project_trend(project, as_of=AS_OF)
    assert trend.of == "Acme Pharma, site EU1, every product"
    assert trend.not_narrowed.startswith("Incident rate cannot be computed per product")


def test_every_kpi_says_what_it_can_be_split_by():
    assert set(PLACES) == {k.code for k in KPIS}
    assert all(set(places) <= {"site", "product"} for places in PLACES.values())
