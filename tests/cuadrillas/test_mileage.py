"""Mileage (kilometraje): a crew's day as a route, totals per distributor and period, the CSV,
the map page, and who may see them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asignaciones import actions
from asignaciones.models import Action, Order, Reason
from cuadrillas import mileage
from facturacion.billing import paid_km
from tests import factories

NOW = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)  # 9:00 in Mexico City
DAY = dt.date(2026, 11, 19)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Written out here, independently of cuadrillas.geo, to check the SQL against."""
    radius = 6371.0088
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(h))


BASE = (19.350000, -99.162000)  # crew A1's base (conftest)
# Three stops in Mexico City, inside the distributor's 40 km radius.
P1 = (19.390000, -99.170000)
P2 = (19.420000, -99.130000)
P3 = (19.300000, -99.100000)
FAR = (19.900000, -99.160000)  # about 52 km north of the distributor's base: outside


def visit(distributor, crew, by, point, *, window="morning", day=DAY, postal_code="06000", **fields) -> Order:
    order = factories.make_order(
        distributor,
        latitude=Decimal(str(point[0])),
        longitude=Decimal(str(point[1])),
        appointment_date=day,
        appointment_window=window,
        postal_code=postal_code,
        **fields,
    )
    return actions.assign(order, crew, by=by)


@pytest.fixture
def route_a1(distributor_a, crew_a1, dispatcher_a):
    """A1's day: P3 in the afternoon (routed first), P1 and P2 in the morning."""
    with time_machine.travel(NOW, tick=False):
        p3 = visit(distributor_a, crew_a1, dispatcher_a, P3, window="afternoon")
        p1 = visit(distributor_a, crew_a1, dispatcher_a, P1)
        p2 = visit(distributor_a, crew_a1, dispatcher_a, P2)
    return [p1, p2, p3]


@pytest.mark.django_db
def test_a_crews_route_is_base_then_the_visits_in_appointment_order_then_base(crew_a1, route_a1):
    with time_machine.travel(NOW, tick=False):
        day = mileage.crew_day(crew_a1, DAY)
    assert [v.order.folio for v in day.visits] == [o.folio for o in route_a1]  # morning before afternoon
    assert [v.position for v in day.visits] == [1, 2, 3]
    expected_legs = [haversine_km(BASE, P1), haversine_km(P1, P2), haversine_km(P2, P3)]
    assert [v.leg_km for v in day.visits] == pytest.approx(expected_legs, abs=1e-6)
    assert [v.km_from_base for v in day.visits] == pytest.approx(
        [haversine_km(BASE, p) for p in (P1, P2, P3)], abs=1e-6
    )
    assert day.return_km == pytest.approx(haversine_km(P3, BASE), abs=1e-6)
    assert day.route_km == pytest.approx(sum(expected_legs) + haversine_km(P3, BASE), abs=1e-6)
    # And the legs worked out by hand with the spherical law of cosines (another formula, the
    # same sphere): 4.526 + 5.360 + 13.710 + 8.558 km.
    assert day.route_km == pytest.approx(4.526 + 5.360 + 13.710 + 8.558, abs=0.002)


@pytest.mark.django_db
def test_a_crew_without_visits_drives_zero_km(crew_a2, route_a1):
    with time_machine.travel(NOW, tick=False):
        day = mileage.crew_day(crew_a2, DAY)
    assert day.visits == [] and day.route_km == 0 and day.extra_km == 0


@pytest.mark.django_db
def test_cancelled_and_unassigned_folios_are_not_on_the_route(distributor_a, crew_a1, dispatcher_a, route_a1):
    with time_machine.travel(NOW, tick=False):
        gone = visit(distributor_a, crew_a1, dispatcher_a, FAR)
        actions.cancel(
            gone,
            reason=Reason.objects.filter(action=Action.CANCEL, needs_other_folio=False).first(),
            by=dispatcher_a,
            acknowledged_policy=_policy(Action.CANCEL),
        )
        factories.make_order(distributor_a, appointment_date=DAY, appointment_window="morning")
        day = mileage.crew_day(crew_a1, DAY)
    assert [v.order.folio for v in day.visits] == [o.folio for o in route_a1]


def _policy(action):
    from asignaciones.rules import policy_for

    return policy_for(action, None)


@pytest.mark.django_db
def test_an_unscheduled_visit_counts_on_the_day_it_was_closed_in_the_distributors_zone(
    distributor_a, crew_a1, dispatcher_a
):
    with time_machine.travel(NOW, tick=False):
        order = factories.make_order(distributor_a)
        actions.assign(order, crew_a1, by=dispatcher_a)
    # 23:30 on the 19th in Mexico City is the 20th in UTC.
    with time_machine.travel(dt.datetime(2026, 11, 20, 5, 30, tzinfo=dt.UTC), tick=False):
        actions.complete(order, by=dispatcher_a, solution_codes=[Reason.objects.filter(action=Action.COMPLETE).first()])
        assert [v.order.folio for v in mileage.crew_day(crew_a1, DAY).visits] == [order.folio]
        assert mileage.crew_day(crew_a1, DAY + dt.timedelta(days=1)).visits == []


@pytest.mark.django_db
def test_a_folio_outside_the_coverage_is_flagged_with_billings_extra_km(distributor_a, crew_a1, dispatcher_a):
    with time_machine.travel(NOW, tick=False):
        far = visit(distributor_a, crew_a1, dispatcher_a, FAR)
        near = visit(distributor_a, crew_a1, dispatcher_a, P1, window="afternoon")
        day = mileage.crew_day(crew_a1, DAY)
    flagged = {v.order.folio: (v.in_coverage, v.extra_km) for v in day.visits}
    one_way = haversine_km((19.4326, -99.1332), FAR)  # from the distributor's base, as billing counts
    assert flagged[near.folio] == (True, Decimal("0"))
    assert flagged[far.folio][0] is False
    assert flagged[far.folio][1] == paid_km(Order.objects.select_related("distributor").get(pk=far.pk))
    assert float(flagged[far.folio][1]) == pytest.approx((one_way - 30) * 2, abs=0.05)
    assert day.out_of_coverage == 1 and day.extra_km == flagged[far.folio][1]


@pytest.mark.django_db
def test_the_period_totals_add_up_every_crew_day_of_each_distributor(
    distributor_a, distributor_b, crew_a1, crew_a2, crew_b1, dispatcher_a, back_office, route_a1
):
    with time_machine.travel(NOW, tick=False):
        visit(distributor_a, crew_a2, dispatcher_a, FAR, day=DAY + dt.timedelta(days=1))
        visit(distributor_b, crew_b1, back_office, (20.67, -103.36), postal_code="44100")
        visit(distributor_a, crew_a1, dispatcher_a, P1, day=DAY + dt.timedelta(days=40))  # outside the period
        totals = mileage.mileage_by_distributor(back_office, DAY, DAY + dt.timedelta(days=2))
    by_name = {t.distributor.name: t for t in totals}
    a = by_name["Distribuidor DIST-A"]
    assert a.visits == 4 and len(a.crew_days) == 2
    assert a.out_of_coverage == 1
    a1_day = mileage.crew_day(crew_a1, DAY, now=NOW)
    a2_day = mileage.crew_day(crew_a2, DAY + dt.timedelta(days=1), now=NOW)
    assert a.route_km == pytest.approx(a1_day.route_km + a2_day.route_km)
    assert a.extra_km == a2_day.extra_km > 0
    assert by_name["Distribuidor Guadalajara"].visits == 1
    with time_machine.travel(NOW, tick=False):
        mine = mileage.mileage_by_distributor(dispatcher_a, DAY, DAY + dt.timedelta(days=2))
    assert [t.distributor.name for t in mine] == ["Distribuidor DIST-A"]


# --- views -----------------------------------------------------------------------------------


def get(client, user, url, **params):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(url, params)


@pytest.mark.django_db
def test_a_dispatcher_sees_a_crews_day_with_each_visit_and_the_route_km(client, dispatcher_a, crew_a1, route_a1):
    response = get(client, dispatcher_a, reverse("cuadrillas:mileage_crew", args=[crew_a1.pk]), day=DAY.isoformat())
    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'data-folio="(\w+)"', html) == [o.folio for o in route_a1]
    expected = sum(haversine_km(a, b) for a, b in [(BASE, P1), (P1, P2), (P2, P3), (P3, BASE)])
    assert f'data-total="route_km">{expected:.1f}<' in html
    assert "Regreso a la base" in html


@pytest.mark.django_db
def test_the_crew_day_defaults_to_today_in_the_distributors_zone(client, dispatcher_a, crew_a1):
    # 02:00 UTC on the 19th is still the 18th in Mexico City.
    client.force_login(dispatcher_a)
    with time_machine.travel(dt.datetime(2026, 11, 19, 2, 0, tzinfo=dt.UTC), tick=False):
        response = client.get(reverse("cuadrillas:mileage_crew", args=[crew_a1.pk]))
    assert response.context["day"] == dt.date(2026, 11, 18)


@pytest.mark.django_db
def test_another_distributors_crew_in_a_mileage_url_is_not_found(client, outsider, crew_a1):
    response = get(client, outsider, reverse("cuadrillas:mileage_crew", args=[crew_a1.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_master_and_the_back_office_may_see_a_crews_day(client, master_viewer, back_office, crew_a1, crew_b1):
    assert get(client, master_viewer, reverse("cuadrillas:mileage_crew", args=[crew_a1.pk])).status_code == 200
    assert get(client, master_viewer, reverse("cuadrillas:mileage_crew", args=[crew_b1.pk])).status_code == 404
    assert get(client, back_office, reverse("cuadrillas:mileage_crew", args=[crew_b1.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["cuadrillas:mileage", "cuadrillas:mileage_csv", "cuadrillas:map"])
def test_a_technician_may_not_see_the_mileage_pages(client, technician_a, name):
    assert get(client, technician_a, reverse(name)).status_code == 403


@pytest.mark.django_db
def test_a_technician_may_not_see_even_their_own_crews_mileage(client, technician_a, crew_a1):
    assert get(client, technician_a, reverse("cuadrillas:mileage_crew", args=[crew_a1.pk])).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["cuadrillas:mileage", "cuadrillas:mileage_csv", "cuadrillas:map"])
def test_the_mileage_pages_refuse_a_post(client, dispatcher_a, name):
    client.force_login(dispatcher_a)
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.django_db
def test_the_crew_day_page_refuses_a_post(client, dispatcher_a, crew_a1):
    client.force_login(dispatcher_a)
    assert client.post(reverse("cuadrillas:mileage_crew", args=[crew_a1.pk])).status_code == 405


@pytest.mark.django_db
def test_the_totals_page_shows_the_period_and_links_each_crew_day(client, dispatcher_a, crew_a1, route_a1):
    response = get(client, dispatcher_a, reverse("cuadrillas:mileage"), date_from="2026-11-01", date_to="2026-11-30")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-total="visits">3<' in html
    assert f"{reverse('cuadrillas:mileage_crew', args=[crew_a1.pk])}?day=2026-11-19" in html


@pytest.mark.django_db
def test_a_period_longer_than_allowed_is_refused_with_a_message(client, dispatcher_a):
    response = get(client, dispatcher_a, reverse("cuadrillas:mileage"), date_from="2026-01-01", date_to="2026-11-30")
    assert response.status_code == 200
    assert "Elige un periodo de 92 días como máximo." in response.content.decode()


@pytest.mark.django_db
def test_the_csv_lists_every_visit_and_the_way_back(client, dispatcher_a, crew_a1, route_a1, distributor_b):
    response = get(
        client, dispatcher_a, reverse("cuadrillas:mileage_csv"), date_from="2026-11-01", date_to="2026-11-30"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Distribuidor", "Cuadrilla", "Día", "Parada", "Folio"]
    assert [r[4] for r in rows[1:4]] == [o.folio for o in route_a1]
    assert rows[4][3] == "Regreso a la base"
    assert float(rows[4][8]) == pytest.approx(haversine_km(P3, BASE), abs=0.05)


@pytest.mark.django_db
def test_the_csv_of_a_distributor_holds_none_of_anothers_visits(client, outsider, route_a1):
    response = get(client, outsider, reverse("cuadrillas:mileage_csv"), date_from="2026-11-01", date_to="2026-11-30")
    body = response.content.decode("utf-8-sig")
    assert all(o.folio not in body for o in route_a1)


@pytest.mark.django_db
def test_the_map_carries_the_bases_the_days_folios_and_the_coverage(
    client, dispatcher_a, distributor_a, crew_a1, crew_a2, route_a1, settings
):
    settings.MAP_TILE_URL = "http://tiles.invalid/{z}/{x}/{y}.png"
    response = get(client, dispatcher_a, reverse("cuadrillas:map"), day=DAY.isoformat())
    assert response.status_code == 200
    html = response.content.decode()
    data = json.loads(re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert data["tiles"] == "http://tiles.invalid/{z}/{x}/{y}.png"
    assert {b["code"] for b in data["bases"]} == {"A1", "A2"}
    assert {o["folio"] for o in data["orders"]} == {o.folio for o in route_a1}
    assert {o["light"] for o in data["orders"]} == {"green"}
    assert data["areas"] == [{"name": distributor_a.name, "lat": 19.4326, "lon": -99.1332, "radius_km": 40.0}]
    assert len(data["routes"]) == 1 and len(data["routes"][0]) == 5  # base, three visits, base
    assert "03100" in html  # the listed postal codes are named in the legend


@pytest.mark.django_db
def test_the_map_of_an_outsider_shows_none_of_anothers_folios(client, outsider, route_a1):
    html = get(client, outsider, reverse("cuadrillas:map"), day=DAY.isoformat()).content.decode()
    assert all(o.folio not in html for o in route_a1)


def _count(client, user, url, **params) -> int:
    client.force_login(user)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_mileage_pages_cost_the_same_queries_whatever_the_number_of_visits(
    client, dispatcher_a, distributor_a, crew_a1, crew_a2, route_a1, django_assert_max_num_queries
):
    pages = [
        (reverse("cuadrillas:mileage"), {"date_from": "2026-11-01", "date_to": "2026-11-30"}),
        (reverse("cuadrillas:mileage_crew", args=[crew_a1.pk]), {"day": DAY.isoformat()}),
        (reverse("cuadrillas:map"), {"day": DAY.isoformat()}),
        (reverse("cuadrillas:mileage_csv"), {"date_from": "2026-11-01", "date_to": "2026-11-30"}),
    ]
    before = [_count(client, dispatcher_a, url, **params) for url, params in pages]
    with time_machine.travel(NOW, tick=False):
        for i in range(3):
            visit(distributor_a, crew_a1, dispatcher_a, FAR, window="afternoon")
            visit(distributor_a, crew_a2, dispatcher_a, P2, day=DAY + dt.timedelta(days=i))
    after = [_count(client, dispatcher_a, url, **params) for url, params in pages]
    assert before == after
    with django_assert_max_num_queries(10):
        client.get(pages[0][0], pages[0][1])
