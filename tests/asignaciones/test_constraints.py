"""The database itself refuses rows that must never exist, whatever code writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from asignaciones.models import MaterialUsage, Order, OrderEvent
from tests import factories


def refused(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_a_folio_is_unique(order_a):
    refused(lambda: _copy(order_a, folio=order_a.folio))


def _copy(order: Order, **changes) -> Order:
    row = Order.objects.filter(pk=order.pk).values().get()
    row.pop("id")
    row.update(changes)
    return Order.objects.create(**row)


@pytest.mark.parametrize(
    "changes",
    [
        {"latitude": Decimal("91")},
        {"latitude": Decimal("-90.5")},
        {"longitude": Decimal("181")},
        {"closing_longitude": Decimal("-181")},
        {"postal_code": "1234"},
        {"postal_code": "ABCDE"},
        {"priority": 0},
        {"priority": 4},
    ],
)
def test_coordinates_postal_codes_and_priorities_out_of_range_are_refused(order_a, changes):
    refused(lambda: _copy(order_a, folio="X-1", **changes))


def test_a_new_order_cannot_have_a_crew(order_a, crew_a1):
    refused(lambda: Order.objects.filter(pk=order_a.pk).update(crew=crew_a1))


@pytest.mark.parametrize("status", ["assigned", "in_progress", "completed"])
def test_an_assigned_in_progress_or_completed_order_must_have_a_crew(order_a, status):
    refused(lambda: Order.objects.filter(pk=order_a.pk).update(status=status))


def test_an_orders_crew_must_belong_to_the_orders_distributor(order_a, crew_b1):
    refused(lambda: Order.objects.filter(pk=order_a.pk).update(status="assigned", crew=crew_b1))


def test_material_quantities_must_be_positive(assigned_order_a):
    from asignaciones.models import Material

    material = Material.objects.get(code="RG6")
    for quantity in (Decimal("0"), Decimal("-1")):
        refused(lambda q=quantity: MaterialUsage.objects.create(order=assigned_order_a, material=material, quantity=q))


def test_the_audit_trail_is_append_only(order_a):
    event = OrderEvent.objects.get(order=order_a)
    refused(lambda: OrderEvent.objects.filter(pk=event.pk).update(note="edited"))
    refused(lambda: OrderEvent.objects.filter(pk=event.pk).delete())
    OrderEvent.objects.create(order=order_a, at=timezone.now(), kind="routed", to_status="new")  # appending is fine
    assert OrderEvent.objects.filter(order=order_a).count() == 2


def test_a_crew_code_is_unique_within_its_distributor(distributor_a, distributor_b, crew_a1):
    factories.make_crew(distributor_b, crew_a1.code, lat="20.6", lon="-103.3")  # another distributor: fine
    refused(lambda: factories.make_crew(distributor_a, crew_a1.code, lat="19.4", lon="-99.1"))
