"""Is a point inside a distributor's coverage area (postal codes and/or a radius)?"""

from __future__ import annotations

from decimal import Decimal

from cuadrillas.geo import great_circle_km
from heat.models import Distributor


def in_coverage(
    distributor: Distributor, *, postal_code: str, latitude: Decimal | float, longitude: Decimal | float
) -> bool:
    """Covered when the postal code is listed or the point lies within the radius of the base.

    A distributor with neither postal codes nor a radius covers everything it is sent.
    """
    if not distributor.coverage_postal_codes and distributor.coverage_radius_km is None:
        return True
    if postal_code in distributor.coverage_postal_codes:
        return True
    if distributor.coverage_radius_km is not None:
        km = great_circle_km(distributor.base_latitude, distributor.base_longitude, latitude, longitude)
        return km <= float(distributor.coverage_radius_km)
    return False


def km_from_base(distributor: Distributor, latitude: Decimal | float, longitude: Decimal | float) -> float:
    return great_circle_km(distributor.base_latitude, distributor.base_longitude, latitude, longitude)
