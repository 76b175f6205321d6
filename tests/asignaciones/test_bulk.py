"""Bulk assignment: several folios to one crew in one POST, each checked on its own."""

from __future__ import annotations

from django.urls import reverse

from asignaciones.models import Order, OrderEvent
from tests import factories

BULK = reverse("asignaciones:bulk_assign")


def test_good_folios_are_assigned_and_bad_ones_are_reported_with_why(
    client, dispatcher_a, distributor_a, distributor_b, crew_a1, assigned_order_a
):
    good = [factories.make_order(distributor_a) for _ in range(2)]
    vetv_blocked = factories.make_order(distributor_a, brand="blue")
    crew_a1.brands.remove(*crew_a1.brands.filter(code="blue"))
    theirs = factories.make_order(distributor_b)
    folios = [good[0].folio, assigned_order_a.folio, vetv_blocked.folio, theirs.folio, good[1].folio, "NOPE"]
    client.force_login(dispatcher_a)
    response = client.post(BULK, {"folios": folios, "crew": crew_a1.pk, "next": "/asignaciones/?tab=new"}, follow=True)
    assert response.redirect_chain[0][0] == "/asignaciones/?tab=new"
    texts = [str(m) for m in response.context["messages"]]
    assert f"Asignados a A1: {good[0].folio}, {good[1].folio}." in texts
    assert any(t.startswith(f"{assigned_order_a.folio} no se asignó") for t in texts)
    assert any(t.startswith(f"{vetv_blocked.folio} no se asignó") and "Blue Telecomm" in t for t in texts)
    # Another distributor's folio is "not found", exactly like one that does not exist.
    assert f"{theirs.folio} no se asignó: El folio {theirs.folio} no se encontró." in texts
    assert "NOPE no se asignó: El folio NOPE no se encontró." in texts
    for order in good:
        order.refresh_from_db()
        assert order.status == Order.Status.ASSIGNED and order.crew == crew_a1
    for order in (vetv_blocked, theirs):
        order.refresh_from_db()
        assert order.status == Order.Status.NEW
        assert not OrderEvent.objects.filter(order=order, kind="assigned").exists()


def test_the_crews_capacity_fills_up_during_a_bulk_assignment(client, dispatcher_a, distributor_a, crew_a1):
    crew_a1.daily_capacity = 2
    crew_a1.save(update_fields=["daily_capacity"])
    orders = [factories.make_order(distributor_a) for _ in range(3)]
    client.force_login(dispatcher_a)
    response = client.post(BULK, {"folios": [o.folio for o in orders], "crew": crew_a1.pk}, follow=True)
    statuses = [Order.objects.get(pk=o.pk).status for o in orders]
    assert statuses == ["assigned", "assigned", "new"]
    assert any("llena" in str(m) for m in response.context["messages"])


def test_a_bulk_assignment_without_folios_or_crew_says_what_is_missing(client, dispatcher_a, crew_a1):
    client.force_login(dispatcher_a)
    response = client.post(BULK, {"crew": crew_a1.pk}, follow=True)
    assert "Seleccione al menos un folio." in [str(m) for m in response.context["messages"]]


def test_a_bulk_assignment_to_another_distributors_crew_is_refused(client, dispatcher_a, order_a, crew_b1):
    client.force_login(dispatcher_a)
    client.post(BULK, {"folios": [order_a.folio], "crew": crew_b1.pk})
    order_a.refresh_from_db()
    assert order_a.status == Order.Status.NEW


def test_an_outside_next_address_is_not_followed(client, dispatcher_a, order_a, crew_a1):
    client.force_login(dispatcher_a)
    response = client.post(BULK, {"folios": [order_a.folio], "crew": crew_a1.pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("asignaciones:board")


def test_technicians_and_masters_cannot_bulk_assign(client, technician_a, master_viewer, order_a, crew_a1):
    for user in (technician_a, master_viewer):
        client.force_login(user)
        assert client.post(BULK, {"folios": [order_a.folio], "crew": crew_a1.pk}).status_code == 403
    order_a.refresh_from_db()
    assert order_a.status == Order.Status.NEW
