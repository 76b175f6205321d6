"""What follows an order event, inside the same transaction as the action that wrote it.

``on_event`` is called by every action right after it writes its ``OrderEvent``; jobs deferred
here (procrastinate, on Django's connection) commit with the change, or not at all.
"""

from __future__ import annotations

from asignaciones.models import OrderEvent


def on_event(event: OrderEvent) -> None:
    """Enqueue the side effects of ``event``:

    - a completion moves the material declared at closing out of (and recovered receivers into)
      the crew's stock, whoever closed the folio and through whichever page;
    - assignments, reassignments, unassignments, reschedules and cancellations notify the crew.
    """
    # Imported here: the actions import this module, and these import the actions' models.
    from asignaciones.notifications import CREW_EVENTS
    from asignaciones.tasks import defer_in_transaction, notify_order_event

    if event.kind == OrderEvent.Kind.COMPLETED:
        from cuadrillas.actions.stock import record_closing

        record_closing(event.order, by=event.actor, at=event.at)
    if event.kind in CREW_EVENTS:
        defer_in_transaction(notify_order_event, event_id=event.pk, crew_id=event.order.crew_id)
