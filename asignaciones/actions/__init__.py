"""Every state change of an order, by topic. Import from here: ``from asignaciones import actions``."""

from asignaciones.actions.orders import (
    MaterialLine,
    assign,
    cancel,
    change_type,
    complete,
    crew_load,
    local_today,
    reassign,
    reject,
    reschedule,
    route_order,
    service_day,
    start,
    unassign,
)
from asignaciones.rules import OrderActionError

__all__ = [
    "MaterialLine",
    "OrderActionError",
    "assign",
    "cancel",
    "change_type",
    "complete",
    "crew_load",
    "local_today",
    "reassign",
    "reject",
    "reschedule",
    "route_order",
    "service_day",
    "start",
    "unassign",
]
