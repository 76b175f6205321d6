"""Crews ranked for a folio by great-circle km, in one SQL query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from asignaciones import actions
from asignaciones.models import ServiceType
from cuadrillas.geo import great_circle_km
from cuadrillas.selectors import crews_ranked_for
from tests import factories


def test_one_degree_of_latitude_is_about_111_km():
    assert great_circle_km(19, -99, 20, -99) == pytest.approx(111.19, abs=0.05)
    # Mexico City to Guadalajara, a known ~461 km great-circle distance.
    assert great_circle_km(19.4326, -99.1332, 20.6597, -103.3496) == pytest.approx(461, abs=3)


def test_crews_are_ranked_nearest_first_with_the_same_km_as_python(
    order_a, crew_a1, crew_a2, crew_b1, django_assert_num_queries
):
    day = dt.date(2026, 12, 10)
    with django_assert_num_queries(1):
        ranked = list(crews_ranked_for(order_a, day=day))
    assert [c.code for c in ranked] == ["A1", "A2"]  # only the order's distributor's crews
    for crew in ranked:
        expected = great_circle_km(crew.base_latitude, crew.base_longitude, order_a.latitude, order_a.longitude)
        assert crew.distance_km == pytest.approx(expected, rel=1e-9)


def test_ranking_reports_load_fit_room_and_coverage(distributor_a, crew_a1, crew_a2, dispatcher_a):
    crew_a1.daily_capacity = 1
    crew_a1.save(update_fields=["daily_capacity"])
    crew_a2.service_types.remove(ServiceType.objects.get(code="REP"))
    day = actions.local_today(distributor_a) + dt.timedelta(days=1)
    busy = factories.make_order(distributor_a, appointment_date=day, appointment_window="morning")
    actions.assign(busy, crew_a1, by=dispatcher_a)
    # Far outside the 40 km radius and the listed postal code: Puebla.
    order = factories.make_order(
        distributor_a,
        service_type="REP",
        postal_code="72000",
        latitude=Decimal("19.0414"),
        longitude=Decimal("-98.2063"),
    )
    ranked = {c.code: c for c in crews_ranked_for(order, day=day)}
    assert (ranked["A1"].load, ranked["A1"].has_room, ranked["A1"].fits) == (1, False, True)
    assert (ranked["A2"].load, ranked["A2"].has_room, ranked["A2"].fits) == (0, True, False)
    assert ranked["A1"].order_in_coverage is False
    inside = factories.make_order(distributor_a, postal_code="03100")
    assert all(c.order_in_coverage for c in crews_ranked_for(inside, day=day))


def test_inactive_crews_are_not_offered(order_a, crew_a1, crew_a2):
    crew_a2.active = False
    crew_a2.save(update_fields=["active"])
    assert [c.code for c in crews_ranked_for(order_a, day=dt.date(2026, 12, 10))] == ["A1"]


def test_a_missing_coordinate_gives_no_distance_rather_than_half_the_earth(db):
    from django.db.models import Value

    from asignaciones.models import Brand
    from cuadrillas.geo import great_circle_km_sql

    Brand.objects.create(code="x", name="X")
    row = Brand.objects.annotate(
        km=great_circle_km_sql(Value(None), Value(None), 19.0, -99.0),
        antipode=great_circle_km_sql(0.0, 0.0, 0.0, 180.0),
    ).get(code="x")
    assert row.km is None
    assert row.antipode == pytest.approx(20015.1, abs=0.1)
