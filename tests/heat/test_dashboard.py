"""The traffic-light dashboard (gráfica): counts, lists, tenancy, refresh and query cost."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asignaciones import actions
from asignaciones.models import Action, Order, Reason
from asignaciones.selectors import orders_visible_to
from asignaciones.sla import with_traffic_light
from heat.dashboard import DashboardFilters, build_dashboard
from tests import factories

NOW = dt.datetime(2026, 11, 18, 18, 0, tzinfo=dt.UTC)  # 12:00 in Mexico City


def route(distributor, *, hours_ago: float, service_type: str = "INS", brand: str = "sky", **fields) -> Order:
    """A folio routed ``hours_ago`` before NOW (INS: 72 h SLA, yellow in its last 12 h)."""
    return factories.make_order(
        distributor,
        service_type=service_type,
        brand=brand,
        routed_at=NOW - dt.timedelta(hours=hours_ago),
        **fields,
    )


def close(order: Order, crew, by, at: dt.datetime) -> Order:
    actions.assign(order, crew, by=by)
    with time_machine.travel(at, tick=False):
        return actions.complete(order, by=by, solution_codes=[Reason.objects.filter(action=Action.COMPLETE).first()])


@pytest.fixture
def folios_a(distributor_a, crew_a1, crew_a2, dispatcher_a):
    """A's open folios: 2 green, 1 yellow, 2 red (one of them REP/VeTV, assigned to A2), 1
    without a crew; plus closings on time and late."""
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        green = route(distributor_a, hours_ago=1)
        green2 = route(distributor_a, hours_ago=2)
        yellow = route(distributor_a, hours_ago=65)  # 7 h left of 72: yellow
        red_old = route(distributor_a, hours_ago=100)  # overdue by 28 h
        red_rep = route(distributor_a, hours_ago=50, service_type="REP", brand="vetv")  # 48 h SLA: overdue by 2 h
        actions.assign(green, crew_a1, by=dispatcher_a)
        actions.assign(red_rep, crew_a2, by=dispatcher_a)
        on_time = route(distributor_a, hours_ago=30)
        late = route(distributor_a, hours_ago=90)
    close(on_time, crew_a1, dispatcher_a, NOW - dt.timedelta(hours=3))
    close(late, crew_a1, dispatcher_a, NOW - dt.timedelta(hours=2))
    return {"green": [green, green2], "yellow": [yellow], "red": [red_old, red_rep], "on_time": on_time, "late": late}


@pytest.fixture
def folios_b(distributor_b):
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        return [route(distributor_b, hours_ago=100, postal_code="44100") for _ in range(3)]


def get(client, user, name="dashboard", **params):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse(name), params)


def light_counts(html: str) -> dict[str, int]:
    return {light: int(n) for light, n in re.findall(r'data-light="(\w+)">([\d,]+)<', html)}


@pytest.mark.django_db
def test_a_dispatcher_sees_the_open_folios_by_colour_with_their_names(client, dispatcher_a, folios_a, folios_b):
    response = get(client, dispatcher_a)
    html = response.content.decode()
    assert response.status_code == 200
    assert light_counts(html) == {"green": 2, "yellow": 1, "red": 2}
    # The names are written out, in Spanish, not only coloured.
    assert "En tiempo" in html and "Vencida" in html
    assert "Sin cuadrilla" in html  # the unassigned folios have a row of their own


@pytest.mark.django_db
def test_the_home_page_sends_a_dispatcher_to_the_dashboard(client, dispatcher_a):
    client.force_login(dispatcher_a)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


@pytest.mark.django_db
def test_the_dashboard_counts_equal_the_boards_for_the_same_filters(dispatcher_a, folios_a, catalogue):
    from asignaciones.models import Brand, ServiceType

    rep = ServiceType.objects.get(code="REP")
    vetv = Brand.objects.get(code="vetv")
    for filters, narrowing in [
        (DashboardFilters(), {}),
        (DashboardFilters(service_type=rep), {"service_type": rep}),
        (DashboardFilters(brand=vetv), {"brand": vetv}),
        (DashboardFilters(service_type=rep, brand=vetv), {"service_type": rep, "brand": vetv}),
    ]:
        board = build_dashboard(dispatcher_a, filters, now=NOW)
        expected = with_traffic_light(orders_visible_to(dispatcher_a), NOW).filter(**narrowing)
        for light in ("green", "yellow", "red"):
            assert getattr(board.totals, light) == expected.filter(light=light).count(), (filters, light)
        assert sum(row.total for row in board.by_crew) == board.totals.total
        assert sum(row.total for row in board.by_type) == board.totals.total
        assert board.closed_on_time == expected.filter(light="on_time").count()
        assert board.closed_late == expected.filter(light="late").count()


@pytest.mark.django_db
def test_the_dashboard_counts_equal_the_boards_own_selector_for_the_same_filters(dispatcher_a, folios_a, catalogue):
    board_module = pytest.importorskip("asignaciones.board")
    from asignaciones.models import Brand, ServiceType

    rep = ServiceType.objects.get(code="REP")
    sky = Brand.objects.get(code="sky")
    for filters, narrowing in [
        (DashboardFilters(), {}),
        (DashboardFilters(service_type=rep), {"service_types": [rep.pk]}),
        (DashboardFilters(brand=sky), {"brands": [sky.pk]}),
    ]:
        board = build_dashboard(dispatcher_a, filters, now=NOW)
        # The board shows open folios on two tabs: to assign, and assigned or in progress.
        rows = [
            order
            for tab in ("new", "open")
            for order in board_module.board_orders(dispatcher_a, board_module.BoardQuery(tab=tab, **narrowing), now=NOW)
        ]
        for light in ("green", "yellow", "red"):
            assert getattr(board.totals, light) == sum(1 for o in rows if o.light == light), (filters, light)


@pytest.mark.django_db
def test_the_lists_show_the_most_overdue_first_and_the_about_to_expire(dispatcher_a, folios_a):
    board = build_dashboard(dispatcher_a, DashboardFilters(), now=NOW)
    assert [o.folio for o in board.red] == [o.folio for o in folios_a["red"]]  # 28 h overdue before 2 h
    assert [o.folio for o in board.yellow] == [folios_a["yellow"][0].folio]


@pytest.mark.django_db
def test_the_lists_name_each_folio_and_how_late_it_is(client, dispatcher_a, folios_a):
    html = get(client, dispatcher_a).content.decode()
    for order in folios_a["red"] + folios_a["yellow"]:
        assert order.folio in html
    assert "vencido hace 1 d 4 h" in html
    assert "vencido hace 2 h 0 min" in html
    assert "vence en 7 h 0 min" in html


@pytest.mark.django_db
def test_a_crew_row_counts_its_folios_by_colour(dispatcher_a, folios_a):
    board = build_dashboard(dispatcher_a, DashboardFilters(), now=NOW)
    rows = {row.label: (row.green, row.yellow, row.red) for row in board.by_crew}
    assert rows == {"A1": (1, 0, 0), "A2": (0, 0, 1), "Sin cuadrilla": (1, 1, 1)}
    by_type = {row.label.split(" ")[0]: (row.green, row.yellow, row.red) for row in board.by_type}
    assert by_type == {"INS": (2, 1, 1), "REP": (0, 0, 1)}


@pytest.mark.django_db
def test_the_closings_chart_counts_each_day_on_time_against_late(dispatcher_a, folios_a):
    board = build_dashboard(dispatcher_a, DashboardFilters(), now=NOW)
    assert len(board.closings) == 14
    assert board.closings[-1].day == dt.date(2026, 11, 18)
    assert (board.closings[-1].on_time, board.closings[-1].late) == (1, 1)
    assert sum(d.total for d in board.closings[:-1]) == 0


@pytest.mark.django_db
def test_a_closing_late_in_the_evening_counts_on_the_distributors_own_day(distributor_a, crew_a1, dispatcher_a):
    # 23:30 in Mexico City on 17 November is already 18 November in UTC.
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        order = route(distributor_a, hours_ago=0)
    close(order, crew_a1, dispatcher_a, dt.datetime(2026, 11, 18, 5, 30, tzinfo=dt.UTC))
    board = build_dashboard(dispatcher_a, DashboardFilters(), now=NOW)
    by_day = {d.day: d.on_time for d in board.closings}
    assert by_day[dt.date(2026, 11, 17)] == 1
    assert by_day[dt.date(2026, 11, 18)] == 0


@pytest.mark.django_db
def test_an_outsider_never_sees_another_distributors_folios(client, outsider, folios_a, folios_b):
    html = get(client, outsider).content.decode()
    assert light_counts(html) == {"green": 0, "yellow": 0, "red": 3}
    for order in folios_a["red"]:
        assert order.folio not in html


@pytest.mark.django_db
def test_a_master_sees_its_distributors_ranked_and_the_back_office_sees_all(
    client, master_viewer, back_office, folios_a, folios_b
):
    html = get(client, master_viewer).content.decode()
    assert light_counts(html) == {"green": 2, "yellow": 1, "red": 2}  # B is not the master's
    assert "Distribuidor Guadalajara" not in html
    assert "ranking-rate" in html
    board = build_dashboard(back_office, DashboardFilters(), now=NOW)
    assert [r.name for r in board.ranking_by_red] == ["Distribuidor Guadalajara", "Distribuidor DIST-A"]
    assert [r.red for r in board.ranking_by_red] == [3, 2]
    assert [r.name for r in board.ranking_by_rate] == ["Distribuidor DIST-A", "Distribuidor Guadalajara"]
    assert board.ranking_by_rate[0].on_time_rate == 0.5 and board.ranking_by_rate[1].on_time_rate is None


@pytest.mark.django_db
def test_the_back_office_can_narrow_to_one_distributor(client, back_office, distributor_b, folios_a, folios_b):
    html = get(client, back_office, distributor=distributor_b.pk).content.decode()
    assert light_counts(html) == {"green": 0, "yellow": 0, "red": 3}
    assert "ranking-rate" not in html


@pytest.mark.django_db
def test_a_master_cannot_filter_to_a_distributor_outside_its_set(client, master_viewer, distributor_b, folios_b):
    html = get(client, master_viewer, distributor=distributor_b.pk).content.decode()
    assert light_counts(html) == {"green": 0, "yellow": 0, "red": 0}
    assert "Distribuidor Guadalajara" not in html


@pytest.mark.django_db
def test_the_filters_narrow_by_order_type_and_brand(client, dispatcher_a, folios_a, catalogue):
    from asignaciones.models import Brand, ServiceType

    rep = ServiceType.objects.get(code="REP")
    html = get(client, dispatcher_a, service_type=rep.pk).content.decode()
    assert light_counts(html) == {"green": 0, "yellow": 0, "red": 1}
    html = get(client, dispatcher_a, brand=Brand.objects.get(code="sky").pk).content.decode()
    assert light_counts(html) == {"green": 2, "yellow": 1, "red": 1}


@pytest.mark.django_db
def test_the_page_polls_its_panel_every_minute_with_the_same_filters(client, dispatcher_a, folios_a, catalogue):
    from asignaciones.models import ServiceType

    rep = ServiceType.objects.get(code="REP")
    html = get(client, dispatcher_a, service_type=rep.pk).content.decode()
    assert 'hx-trigger="every 60s"' in html
    assert f'hx-get="{reverse("dashboard_panel")}?service_type={rep.pk}"' in html
    panel = get(client, dispatcher_a, "dashboard_panel", service_type=rep.pk)
    assert panel.status_code == 200
    assert "<html" not in panel.content.decode()
    assert light_counts(panel.content.decode()) == {"green": 0, "yellow": 0, "red": 1}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dashboard", "dashboard_panel"])
def test_the_dashboard_refuses_a_post(client, dispatcher_a, name):
    client.force_login(dispatcher_a)
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dashboard", "dashboard_panel"])
def test_a_technician_may_not_see_the_dashboard(client, technician_a, name):
    client.force_login(technician_a)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def _queries(client, user) -> int:
    client.force_login(user)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dispatcher_a", "master_viewer", "back_office"])
def test_the_dashboard_costs_the_same_queries_whatever_the_number_of_folios(
    client, request, who, distributor_a, crew_a1, dispatcher_a, folios_a, django_assert_max_num_queries
):
    user = request.getfixturevalue(who)
    few = _queries(client, user)
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        extra_crew = factories.make_crew(distributor_a, "A9", lat="19.4", lon="-99.1")
        for i in range(12):
            order = route(distributor_a, hours_ago=i * 9, service_type=["INS", "REP", "GAR"][i % 3])
            if i % 2:
                actions.assign(order, extra_crew if i % 4 == 1 else crew_a1, by=dispatcher_a)
    many = _queries(client, user)
    assert few == many
    with django_assert_max_num_queries(12):
        client.get(reverse("dashboard"))
