"""Great-circle distance, in SQL and in Python (the same haversine formula in both)."""

from __future__ import annotations

import math
from decimal import Decimal

from django.db.models import Case, ExpressionWrapper, F, FloatField, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt
from django.db.models.lookups import GreaterThan

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

Coordinate = float | Decimal | Combinable | str


def _expr(value: Coordinate) -> Combinable:
    if isinstance(value, str):
        return Cast(F(value), FloatField())
    if isinstance(value, Combinable):
        return Cast(value, FloatField())
    return Value(float(value), output_field=FloatField())


def great_circle_km_sql(lat1: Coordinate, lon1: Coordinate, lat2: Coordinate, lon2: Coordinate) -> ExpressionWrapper:
    """An SQL expression for the km between two points; strings name fields."""
    phi1, phi2 = Radians(_expr(lat1)), Radians(_expr(lat2))
    dphi = Radians(_expr(lat2) - _expr(lat1))
    dlambda = Radians(_expr(lon2) - _expr(lon1))
    a = Power(Sin(dphi / 2), 2) + Cos(phi1) * Cos(phi2) * Power(Sin(dlambda / 2), 2)
    # Clamp to 1: rounding can push ``a`` just above it for antipodal points, and asin would fail.
    # Not LEAST(1, a): PostgreSQL's LEAST ignores NULL, so a missing coordinate would come out as
    # half the Earth's circumference instead of NULL.
    clamped = Case(When(GreaterThan(a, Value(1.0)), then=Value(1.0)), default=a, output_field=FloatField())
    return ExpressionWrapper(2 * EARTH_RADIUS_KM * ASin(Sqrt(clamped)), output_field=FloatField())


def great_circle_km(
    lat1: float | Decimal, lon1: float | Decimal, lat2: float | Decimal, lon2: float | Decimal
) -> float:
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = math.radians(float(lat2) - float(lat1))
    dlambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))
