"""The folio board: who sees what, filters in the URL, sorting, pages, htmx refresh, queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from asignaciones import actions
from asignaciones.models import Brand, ServiceType
from cuadrillas.models import Crew
from tests import factories

BOARD = reverse("asignaciones:board")


def folios_in(response) -> list[str]:
    return [order.folio for order in response.context["page"].object_list]


@pytest.fixture
def board_orders(distributor_a, distributor_b, crew_a1, dispatcher_a):
    """Three of A's new folios (one VeTV repair in Coyoacán), one assigned, and one of B's."""
    orders = {
        "ins": factories.make_order(distributor_a, folio="A-INS", customer_name="Juana Pérez"),
        "rep": factories.make_order(
            distributor_a,
            folio="A-REP",
            brand="vetv",
            service_type="REP",
            neighborhood="Coyoacán Centro",
            postal_code="04000",
            customer_phone="5544332211",
            priority=1,
        ),
        "late": factories.make_order(
            distributor_a, folio="A-LATE", routed_at=timezone.now() - dt.timedelta(days=4), account_number="777999"
        ),
        "assigned": factories.make_order(distributor_a, folio="A-ASG"),
        "other": factories.make_order(distributor_b, folio="B-ONE", postal_code="44100"),
    }
    actions.assign(orders["assigned"], crew_a1, by=dispatcher_a)
    return orders


def test_a_dispatcher_sees_the_distributors_new_folios_and_never_another_distributors(
    client, dispatcher_a, board_orders
):
    client.force_login(dispatcher_a)
    response = client.get(BOARD)
    assert response.status_code == 200
    assert set(folios_in(response)) == {"A-INS", "A-REP", "A-LATE"}
    assert "B-ONE" not in response.text
    assert 'hx-trigger="every 30s' in response.text


def test_the_open_tab_lists_assigned_folios_with_their_crew(client, dispatcher_a, board_orders):
    client.force_login(dispatcher_a)
    response = client.get(BOARD, {"tab": "open"})
    assert folios_in(response) == ["A-ASG"]
    assert "A1" in response.text


def test_the_closed_tab_lists_rejected_and_cancelled_folios(client, dispatcher_a, board_orders):
    client.force_login(dispatcher_a)
    assert folios_in(client.get(BOARD, {"tab": "closed"})) == []


def test_an_overdue_folio_is_red_and_says_how_late_it_is(client, dispatcher_a, board_orders):
    client.force_login(dispatcher_a)
    response = client.get(BOARD, {"light": "red"})
    assert folios_in(response) == ["A-LATE"]
    assert "light-red" in response.text
    assert "Vencida hace" in response.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "A-INS"}, {"A-INS"}),
        ({"q": "juana"}, {"A-INS"}),
        ({"q": "44332211"}, {"A-REP"}),
        ({"q": "777999"}, {"A-LATE"}),
        ({"place": "04000"}, {"A-REP"}),
        ({"place": "coyoacán"}, {"A-REP"}),
        ({"priority": "1"}, {"A-REP"}),
        ({"light": "green"}, {"A-INS", "A-REP"}),
        ({"crew": "none"}, {"A-INS", "A-REP", "A-LATE"}),
    ],
)
def test_filters_and_search_live_in_the_url(client, dispatcher_a, board_orders, params, expected):
    client.force_login(dispatcher_a)
    assert set(folios_in(client.get(BOARD, params))) == expected


def test_type_and_brand_filters_take_ids(client, dispatcher_a, board_orders):
    client.force_login(dispatcher_a)
    rep = ServiceType.objects.get(code="REP")
    assert folios_in(client.get(BOARD, {"type": rep.pk})) == ["A-REP"]
    vetv = Brand.objects.get(code="vetv")
    assert folios_in(client.get(BOARD, {"brand": vetv.pk})) == ["A-REP"]


def test_the_crew_filter_finds_a_crews_folios(client, dispatcher_a, board_orders, crew_a1):
    client.force_login(dispatcher_a)
    assert folios_in(client.get(BOARD, {"tab": "open", "crew": crew_a1.pk})) == ["A-ASG"]


def test_the_date_range_is_the_day_the_folio_was_received(client, dispatcher_a, board_orders):
    client.force_login(dispatcher_a)
    today = timezone.localdate()
    response = client.get(BOARD, {"date_to": (today - dt.timedelta(days=2)).isoformat()})
    assert folios_in(response) == ["A-LATE"]
    response = client.get(BOARD, {"date_from": today.isoformat()})
    assert set(folios_in(response)) == {"A-INS", "A-REP"}


def test_columns_sort_both_ways_and_unknown_sort_keys_are_ignored(client, dispatcher_a, board_orders):
    client.force_login(dispatcher_a)
    assert folios_in(client.get(BOARD, {"sort": "folio"})) == ["A-INS", "A-LATE", "A-REP"]
    assert folios_in(client.get(BOARD, {"sort": "-folio"})) == ["A-REP", "A-LATE", "A-INS"]
    response = client.get(BOARD, {"sort": "customer_phone; drop table"})
    assert response.status_code == 200
    assert folios_in(response)[0] == "A-LATE"  # the default: nearest deadline first


def test_an_htmx_refresh_gets_only_the_table(client, dispatcher_a, board_orders):
    client.force_login(dispatcher_a)
    response = client.get(BOARD, {"q": "A-INS"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="board-table"' in response.text
    assert "A-INS" in response.text


def test_pages_hold_the_chosen_number_of_rows(client, dispatcher_a, distributor_a):
    for n in range(30):
        factories.make_order(distributor_a, folio=f"P{n:03d}")
    client.force_login(dispatcher_a)
    first = client.get(BOARD, {"sort": "folio"})
    assert len(folios_in(first)) == 25
    second = client.get(BOARD, {"sort": "folio", "page": 2})
    assert folios_in(second) == [f"P{n:03d}" for n in range(25, 30)]
    assert len(folios_in(client.get(BOARD, {"per_page": 50}))) == 30


@pytest.mark.parametrize("per_page", [25, 100])
def test_a_board_page_costs_a_fixed_number_of_queries(
    client, dispatcher_a, distributor_a, crew_a1, crew_a2, per_page, django_assert_max_num_queries
):
    Crew.objects.filter(pk__in=[crew_a1.pk, crew_a2.pk]).update(daily_capacity=100)
    for n in range(per_page + 5):
        order = factories.make_order(distributor_a, folio=f"Q{n:04d}", brand=("sky", "vetv")[n % 2])
        if n % 3 == 0:
            actions.assign(order, (crew_a1, crew_a2)[n % 2], by=dispatcher_a)
    client.force_login(dispatcher_a)
    for tab in ("new", "open"):
        with django_assert_max_num_queries(10):
            response = client.get(BOARD, {"tab": tab, "per_page": per_page})
        assert response.status_code == 200
    with django_assert_max_num_queries(8):
        client.get(BOARD, {"per_page": per_page}, headers={"HX-Request": "true"})


def test_a_master_viewer_sees_its_distributors_folios_without_action_controls(client, master_viewer, board_orders):
    client.force_login(master_viewer)
    response = client.get(BOARD)
    assert response.status_code == 200
    assert set(folios_in(response)) == {"A-INS", "A-REP", "A-LATE"}
    assert 'id="bulk-form"' not in response.text
    assert 'name="folios"' not in response.text


def test_the_back_office_sees_every_distributor(client, back_office, board_orders):
    client.force_login(back_office)
    assert set(folios_in(client.get(BOARD))) == {"A-INS", "A-REP", "A-LATE", "B-ONE"}


def test_a_technician_cannot_open_the_board(client, technician_a):
    client.force_login(technician_a)
    assert client.get(BOARD).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_board_answers_only_get(client, dispatcher_a):
    client.force_login(dispatcher_a)
    assert client.post(BOARD).status_code == 405


def test_the_board_speaks_spanish(client, dispatcher_a, board_orders):
    client.force_login(dispatcher_a)
    with time_machine.travel(timezone.now(), tick=False):
        text = client.get(BOARD).text
    for spanish in ("Por asignar", "Abiertas", "Cerradas", "Asignar seleccionados a…", "Exportar"):
        assert spanish in text
