from asignaciones.models import Order, OrderEvent


def test_a_routed_order_can_be_assigned_and_audited(assigned_order_a, crew_a1):
    order = Order.objects.get(pk=assigned_order_a.pk)
    assert order.status == Order.Status.ASSIGNED
    assert order.crew == crew_a1
    assert list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True)) == ["routed", "assigned"]
