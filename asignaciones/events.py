"""What follows an order event, inside the same transaction as the action that wrote it.

``on_event`` is called by every action right after it writes its ``OrderEvent``; jobs deferred
here (procrastinate) commit with the change, or not at all.
"""

from __future__ import annotations

from asignaciones.models import OrderEvent


def on_event(event: OrderEvent) -> None:
    """Enqueue the side effects of ``event``. Notifications are added by the technician/notification work."""
