"""Each order action through its page: success (message and event), refusal (message, nothing
written), missing acknowledgement; tenancy (404), roles (403) and methods (405)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from asignaciones import actions
from asignaciones.models import Order, OrderEvent, Policy, Reason, ServiceType
from tests import factories

NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def url(name: str, order: Order) -> str:
    return reverse(f"asignaciones:{name}", args=[order.folio])


def reason(action: str, code: str) -> Reason:
    return Reason.objects.get(action=action, code=code)


def policy(action: str) -> Policy:
    return Policy.objects.get(action=action, service_type=None, version=1)


def events_of(order: Order) -> list[str]:
    return list(OrderEvent.objects.filter(order=order).order_by("pk").values_list("kind", flat=True))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- detail ------------------------------------------------------------------------------------


def test_the_detail_shows_customer_address_position_history_and_the_actions_offered_now(
    client, dispatcher_a, assigned_order_a
):
    client.force_login(dispatcher_a)
    response = client.get(url("order", assigned_order_a))
    assert response.status_code == 200
    text = response.text
    assert "Cliente de Prueba" in text and "Del Valle" in text
    assert f"geo:{assigned_order_a.latitude},{assigned_order_a.longitude}" in text
    assert "openstreetmap.org" in text
    assert response.context["offered"] == ["reassign", "unassign", "reschedule", "change_type", "reject", "cancel"]
    assert [e.kind for e in response.context["events"]] == ["routed", "assigned"]
    assert 'data-confirm="' in text  # unassigning asks first


def test_a_master_viewer_reads_the_detail_but_is_offered_no_action(client, master_viewer, order_a):
    client.force_login(master_viewer)
    response = client.get(url("order", order_a))
    assert response.status_code == 200
    assert response.context["offered"] == []
    assert 'id="order-actions"' not in response.text


def test_the_detail_costs_a_fixed_number_of_queries(
    client, dispatcher_a, assigned_order_a, django_assert_max_num_queries
):
    client.force_login(dispatcher_a)
    with django_assert_max_num_queries(10):
        assert client.get(url("order", assigned_order_a)).status_code == 200


# --- assign / reassign / unassign --------------------------------------------------------------


def test_the_assign_page_ranks_the_crews_by_distance_and_shows_load_and_fit(
    client, dispatcher_a, order_a, crew_a1, crew_a2
):
    crew_a2.brands.clear()
    client.force_login(dispatcher_a)
    response = client.get(url("assign", order_a))
    assert response.status_code == 200
    ranked = response.context["ranked"]
    assert [c.code for c in ranked] == ["A1", "A2"]
    assert ranked[0].distance_km < ranked[1].distance_km
    assert "No atiende SKY" in response.text  # A2 is shown, disabled, with the reason


def test_assigning_from_the_ranked_list_assigns_and_says_so(client, dispatcher_a, order_a, crew_a1):
    client.force_login(dispatcher_a)
    response = client.post(url("assign", order_a), {"crew": crew_a1.pk}, follow=True)
    order_a.refresh_from_db()
    assert order_a.status == Order.Status.ASSIGNED and order_a.crew == crew_a1
    assert events_of(order_a) == ["routed", "assigned"]
    assert f"Folio {order_a.folio} asignado a A1." in messages_of(response)


def test_a_refused_assignment_shows_why_and_changes_nothing(client, dispatcher_a, order_a, crew_a1):
    crew_a1.service_types.clear()
    client.force_login(dispatcher_a)
    response = client.post(url("assign", order_a), {"crew": crew_a1.pk})
    assert response.status_code == 400
    assert "no realiza órdenes" in response.text
    order_a.refresh_from_db()
    assert order_a.status == Order.Status.NEW
    assert events_of(order_a) == ["routed"]


def test_a_crew_of_another_distributor_cannot_be_chosen(client, dispatcher_a, order_a, crew_b1):
    client.force_login(dispatcher_a)
    response = client.post(url("assign", order_a), {"crew": crew_b1.pk})
    assert response.status_code == 400
    order_a.refresh_from_db()
    assert order_a.crew is None


def test_an_assigned_folio_is_reassigned_on_the_same_page(client, dispatcher_a, assigned_order_a, crew_a2):
    client.force_login(dispatcher_a)
    response = client.post(url("assign", assigned_order_a), {"crew": crew_a2.pk}, follow=True)
    assigned_order_a.refresh_from_db()
    assert assigned_order_a.crew == crew_a2
    assert events_of(assigned_order_a)[-1] == "reassigned"
    assert f"Folio {assigned_order_a.folio} reasignado a A2." in messages_of(response)


def test_unassigning_puts_the_folio_back_to_assign(client, dispatcher_a, assigned_order_a):
    client.force_login(dispatcher_a)
    response = client.post(url("unassign", assigned_order_a), follow=True)
    assigned_order_a.refresh_from_db()
    assert assigned_order_a.status == Order.Status.NEW
    assert events_of(assigned_order_a)[-1] == "unassigned"
    assert messages_of(response)


def test_unassigning_a_new_folio_is_refused_with_a_message(client, dispatcher_a, order_a):
    client.force_login(dispatcher_a)
    response = client.post(url("unassign", order_a), follow=True)
    assert any(order_a.folio in m for m in messages_of(response))
    assert events_of(order_a) == ["routed"]


# --- reschedule --------------------------------------------------------------------------------


@pytest.fixture
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


def reschedule_data(day: dt.date, **extra) -> dict:
    return {
        "date": day.isoformat(),
        "window": "afternoon",
        "reason": reason("reschedule", "OTRA_FECHA").pk,
        "acknowledged_policy": policy("reschedule").pk,
        **extra,
    }


def test_the_reschedule_form_links_the_policy_pdf_and_asks_for_its_acknowledgement(client, dispatcher_a, order_a):
    client.force_login(dispatcher_a)
    response = client.get(url("reschedule", order_a))
    assert response.status_code == 200
    reschedule_policy = policy("reschedule")
    assert reverse("asignaciones:policy", args=[reschedule_policy.pk]) in response.text
    assert f'value="{reschedule_policy.pk}"' in response.text
    assert "He leído la política" in response.text
    assert "(versión 1)" in response.text


def test_rescheduling_records_the_reason_and_the_policy_version(client, dispatcher_a, at_noon, distributor_a):
    order = factories.make_order(distributor_a)
    client.force_login(dispatcher_a)
    day = dt.date(2026, 3, 12)
    response = client.post(url("reschedule", order), reschedule_data(day, note="Pide la tarde"), follow=True)
    order.refresh_from_db()
    assert order.appointment_date == day and order.appointment_window == "afternoon"
    event = OrderEvent.objects.filter(order=order).latest("pk")
    assert event.kind == "rescheduled" and event.note == "Pide la tarde"
    assert event.data["policy"]["version"] == 1
    assert f"Folio {order.folio} reagendado." in messages_of(response)
    assert "Política leída" in response.text  # the history shows the acknowledgement


def test_rescheduling_without_the_acknowledgement_is_refused(client, dispatcher_a, at_noon, distributor_a):
    order = factories.make_order(distributor_a)
    client.force_login(dispatcher_a)
    data = reschedule_data(dt.date(2026, 3, 12))
    del data["acknowledged_policy"]
    response = client.post(url("reschedule", order), data)
    assert response.status_code == 400
    assert "Lea la política y marque la casilla." in response.text
    assert events_of(order) == ["routed"]


def test_rescheduling_beyond_the_policys_days_is_refused_and_nothing_changes(
    client, dispatcher_a, at_noon, distributor_a
):
    order = factories.make_order(distributor_a)
    client.force_login(dispatcher_a)
    response = client.post(url("reschedule", order), reschedule_data(dt.date(2026, 3, 30)))
    assert response.status_code == 400
    assert "7 días" in response.text
    order.refresh_from_db()
    assert order.appointment_date is None and order.reschedule_count == 0
    assert events_of(order) == ["routed"]


def test_acknowledging_an_old_version_of_the_policy_is_refused(client, dispatcher_a, at_noon, distributor_a):
    order = factories.make_order(distributor_a)
    old = policy("reschedule")
    Policy.objects.create(
        action="reschedule",
        version=2,
        title=old.title,
        rules=old.rules,
        effective_from=timezone.now() - dt.timedelta(days=1),
    )
    client.force_login(dispatcher_a)
    response = client.post(url("reschedule", order), reschedule_data(dt.date(2026, 3, 12)))
    assert response.status_code == 400
    assert "versión 2" in response.text
    assert events_of(order) == ["routed"]


# --- reject, cancel, change type ---------------------------------------------------------------


def test_rejecting_within_the_window_gives_the_folio_back(client, dispatcher_a, order_a):
    client.force_login(dispatcher_a)
    response = client.get(url("reject", order_a))
    assert 'data-confirm="' in response.text
    data = {"reason": reason("reject", "RIESGO").pk, "acknowledged_policy": policy("reject").pk}
    response = client.post(url("reject", order_a), data, follow=True)
    order_a.refresh_from_db()
    assert order_a.status == Order.Status.REJECTED
    assert events_of(order_a)[-1] == "rejected"
    assert any("rechazado" in m for m in messages_of(response))


def test_rejecting_after_the_window_is_refused_with_the_policys_hours(client, dispatcher_a, distributor_a):
    order = factories.make_order(distributor_a, routed_at=timezone.now() - dt.timedelta(hours=30))
    client.force_login(dispatcher_a)
    data = {"reason": reason("reject", "RIESGO").pk, "acknowledged_policy": policy("reject").pk}
    response = client.post(url("reject", order), data)
    assert response.status_code == 400
    assert "24 horas" in response.text
    order.refresh_from_db()
    assert order.status == Order.Status.NEW


def test_cancelling_a_duplicate_needs_the_other_folio(client, dispatcher_a, distributor_a, order_a):
    other = factories.make_order(distributor_a)
    client.force_login(dispatcher_a)
    data = {"reason": reason("cancel", "DUPLICADA").pk, "acknowledged_policy": policy("cancel").pk}
    response = client.post(url("cancel", order_a), data)
    assert response.status_code == 400
    assert "Indique el folio que este duplica." in response.text
    assert events_of(order_a) == ["routed"]
    response = client.post(url("cancel", order_a), {**data, "other_folio": other.folio}, follow=True)
    order_a.refresh_from_db()
    assert order_a.status == Order.Status.CANCELLED
    event = OrderEvent.objects.filter(order=order_a).latest("pk")
    assert event.data["duplicate_of"] == other.folio
    assert any("cancelado" in m for m in messages_of(response))


def test_cancelling_without_the_acknowledgement_is_refused(client, dispatcher_a, order_a):
    client.force_login(dispatcher_a)
    response = client.post(url("cancel", order_a), {"reason": reason("cancel", "CLIENTE").pk})
    assert response.status_code == 400
    order_a.refresh_from_db()
    assert order_a.status == Order.Status.NEW


def test_changing_the_type_restarts_the_sla(client, dispatcher_a, order_a):
    client.force_login(dispatcher_a)
    rep = ServiceType.objects.get(code="REP")
    data = {
        "service_type": rep.pk,
        "reason": reason("change_type", "MAL_TIPO").pk,
        "acknowledged_policy": policy("change_type").pk,
    }
    response = client.post(url("change_type", order_a), data, follow=True)
    order_a.refresh_from_db()
    assert order_a.service_type == rep
    assert events_of(order_a)[-1] == "type_changed"
    assert messages_of(response)


def test_an_action_that_is_not_possible_now_sends_back_to_the_folio_with_a_message(client, dispatcher_a, order_a):
    actions.cancel(order_a, reason=reason("cancel", "CLIENTE"), by=dispatcher_a, acknowledged_policy=policy("cancel"))
    client.force_login(dispatcher_a)
    response = client.get(url("reschedule", order_a), follow=True)
    assert response.redirect_chain[-1][0] == url("order", order_a)
    assert messages_of(response)


# --- tenancy, roles, methods -------------------------------------------------------------------

ID_PAGES = ["order", "assign", "reschedule", "reject", "cancel", "change_type", "print"]


@pytest.mark.parametrize("name", ID_PAGES)
def test_another_distributors_folio_is_a_404(client, outsider, order_a, name):
    client.force_login(outsider)
    assert client.get(url(name, order_a)).status_code == 404


@pytest.mark.parametrize("name", ["assign", "unassign", "reschedule", "reject", "cancel", "change_type"])
def test_another_distributor_cannot_post_actions_on_the_folio(client, outsider, assigned_order_a, name):
    client.force_login(outsider)
    assert client.post(url(name, assigned_order_a), {}).status_code == 404
    assert events_of(assigned_order_a) == ["routed", "assigned"]


@pytest.mark.parametrize("name", [*ID_PAGES, "unassign"])
def test_a_technician_cannot_reach_the_dispatchers_folio_pages(client, technician_a, assigned_order_a, name):
    client.force_login(technician_a)
    response = (
        client.get(url(name, assigned_order_a)) if name != "unassign" else client.post(url(name, assigned_order_a))
    )
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["assign", "reschedule", "unassign"])
def test_a_master_viewer_cannot_act(client, master_viewer, assigned_order_a, name):
    client.force_login(master_viewer)
    assert client.post(url(name, assigned_order_a), {}).status_code == 403


def test_unassign_answers_only_post(client, dispatcher_a, assigned_order_a):
    client.force_login(dispatcher_a)
    assert client.get(url("unassign", assigned_order_a)).status_code == 405


def test_bulk_assign_answers_only_post(client, dispatcher_a):
    client.force_login(dispatcher_a)
    assert client.get(reverse("asignaciones:bulk_assign")).status_code == 405


@pytest.mark.parametrize("name", ["order", "assign"])
def test_a_folio_that_does_not_exist_is_a_404(client, dispatcher_a, name):
    client.force_login(dispatcher_a)
    assert client.get(reverse(f"asignaciones:{name}", args=["NOPE"])).status_code == 404
