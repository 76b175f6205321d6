"""Coverage flags by postal code and by radius: the SQL flag of the mileage pages and the Python
rule of ``cuadrillas.coverage`` agree inside, on the boundary and outside."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from asignaciones.models import Order
from cuadrillas.coverage import in_coverage
from cuadrillas.mileage import in_coverage_sql
from tests import factories

BASE = (19.432600, -99.133200)
RADIUS_KM = Decimal("10.0")
EARTH_RADIUS_KM = 6371.0088


def km_north(lat: float, lon: float, other_lat: float) -> float:
    """Haversine along a meridian, written out here independently of cuadrillas.geo."""
    dphi = math.radians(other_lat - lat)
    h = math.sin(dphi / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def boundary_latitudes() -> tuple[Decimal, Decimal]:
    """The last latitude (at the 6 decimals orders keep, ~0.11 m apart) within the radius due
    north of the base, and the first one beyond it."""
    lat = Decimal(str(BASE[0])) + Decimal(math.degrees(float(RADIUS_KM) / EARTH_RADIUS_KM)).quantize(
        Decimal("0.000001")
    )
    step = Decimal("0.000001")
    while km_north(BASE[0], BASE[1], float(lat)) > float(RADIUS_KM):
        lat -= step
    while km_north(BASE[0], BASE[1], float(lat + step)) <= float(RADIUS_KM):
        lat += step
    return lat, lat + step


@pytest.fixture
def radius_distributor(catalogue):
    return factories.make_distributor(
        "radio", coverage_radius_km=RADIUS_KM, coverage_postal_codes=["11000"], base_latitude=Decimal("19.432600")
    )


def flags(distributor, points: dict[str, tuple[Decimal, Decimal, str]]) -> dict[str, tuple[bool, bool]]:
    """Each point's (SQL flag, Python flag)."""
    folios = {}
    for name, (lat, lon, postal_code) in points.items():
        folios[factories.make_order(distributor, latitude=lat, longitude=lon, postal_code=postal_code).folio] = name
    rows = Order.objects.filter(folio__in=folios).annotate(flag=in_coverage_sql()).select_related("distributor")
    return {
        folios[o.folio]: (
            o.flag,
            in_coverage(distributor, postal_code=o.postal_code, latitude=o.latitude, longitude=o.longitude),
        )
        for o in rows
    }


@pytest.mark.django_db
def test_a_point_inside_on_and_beyond_the_radius(radius_distributor):
    inside_lat, beyond_lat = boundary_latitudes()
    lon = Decimal("-99.133200")
    result = flags(
        radius_distributor,
        {
            "inside": (Decimal("19.480000"), lon, "06700"),
            "on the boundary": (inside_lat, lon, "06700"),
            "just beyond": (beyond_lat, lon, "06700"),
            "outside": (Decimal("19.700000"), lon, "06700"),
        },
    )
    assert result == {
        "inside": (True, True),
        "on the boundary": (True, True),  # the radius itself is covered
        "just beyond": (False, False),
        "outside": (False, False),
    }


@pytest.mark.django_db
def test_a_listed_postal_code_is_covered_however_far_from_the_base(radius_distributor):
    result = flags(
        radius_distributor,
        {
            "listed, far": (Decimal("19.900000"), Decimal("-99.133200"), "11000"),
            "not listed, far": (Decimal("19.900000"), Decimal("-99.133200"), "11001"),
        },
    )
    assert result == {"listed, far": (True, True), "not listed, far": (False, False)}


@pytest.mark.django_db
def test_postal_codes_alone_cover_only_the_listed_ones(catalogue):
    distributor = factories.make_distributor("cps", coverage_radius_km=None, coverage_postal_codes=["03100", "03200"])
    near = (Decimal("19.432700"), Decimal("-99.133200"))
    result = flags(distributor, {"listed": (*near, "03200"), "next door, not listed": (*near, "03300")})
    assert result == {"listed": (True, True), "next door, not listed": (False, False)}


@pytest.mark.django_db
def test_a_distributor_with_neither_covers_everything_it_is_sent(catalogue):
    distributor = factories.make_distributor("todo", coverage_radius_km=None, coverage_postal_codes=[])
    result = flags(distributor, {"anywhere": (Decimal("25.686600"), Decimal("-100.316100"), "64000")})
    assert result == {"anywhere": (True, True)}
