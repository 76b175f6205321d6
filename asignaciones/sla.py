"""Deadlines and the traffic light (semáforo).

An order's deadline is the end of its appointment window when it is scheduled, else its routing
time plus its type's SLA hours. Windows are wall-clock times in the distributor's own time zone.

The colour is computed in SQL by :func:`with_traffic_light`, the one annotation shared by the
board, the dashboard, the sweeps and the reports, so they never disagree:

- open orders: red once the deadline is reached (``now >= deadline``), yellow once less than the
  type's warning margin remains (``now >= deadline - margin``), green before that;
- closed orders: ``on_time`` when closed at or before the deadline, ``late`` after it;
  rejected and cancelled orders are ``closed`` (no colour).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asignaciones.models import Order, ServiceType

# Appointment windows as local wall-clock (start, end).
WINDOWS: dict[str, tuple[dt.time, dt.time]] = {
    Order.Window.MORNING: (dt.time(8), dt.time(13)),
    Order.Window.AFTERNOON: (dt.time(13), dt.time(19)),
}
END_OF_WORKING_DAY = dt.time(19)


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    ON_TIME = "on_time"
    LATE = "late"
    CLOSED = "closed"


LIGHT_LABELS = {
    Light.GREEN: _("On time"),
    Light.YELLOW: _("About to expire"),
    Light.RED: _("Overdue"),
    Light.ON_TIME: _("Closed on time"),
    Light.LATE: _("Closed late"),
    Light.CLOSED: _("Closed"),
}
OPEN_LIGHTS = (Light.GREEN, Light.YELLOW, Light.RED)


def window_bounds(day: dt.date, window: str, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end of an appointment window on ``day`` in ``zone``."""
    start, end = WINDOWS.get(window, (dt.time(8), END_OF_WORKING_DAY))
    return (
        dt.datetime.combine(day, start, tzinfo=zone),
        dt.datetime.combine(day, end, tzinfo=zone),
    )


def compute_deadline(
    *,
    routed_at: dt.datetime,
    service_type: ServiceType,
    zone: ZoneInfo,
    appointment_date: dt.date | None = None,
    appointment_window: str = "",
) -> dt.datetime:
    if appointment_date is not None:
        return window_bounds(appointment_date, appointment_window, zone)[1]
    return routed_at + dt.timedelta(hours=service_type.sla_hours)


def with_traffic_light(qs: QuerySet[Order], now: dt.datetime | None = None) -> QuerySet[Order]:
    """Annotate ``light`` (see module doc) in SQL."""
    now = now or timezone.now()
    warning_starts = ExpressionWrapper(
        F("deadline") - F("service_type__warning_hours") * Value(dt.timedelta(hours=1)),
        output_field=DateTimeField(),
    )
    return qs.alias(warning_start=warning_starts).annotate(
        light=Case(
            When(
                Q(status__in=Order.OPEN_STATUSES) & Q(deadline__lte=now),
                then=Value(Light.RED.value),
            ),
            When(
                Q(status__in=Order.OPEN_STATUSES) & Q(warning_start__lte=now),
                then=Value(Light.YELLOW.value),
            ),
            When(status__in=Order.OPEN_STATUSES, then=Value(Light.GREEN.value)),
            When(
                status=Order.Status.COMPLETED,
                closed_at__lte=F("deadline"),
                then=Value(Light.ON_TIME.value),
            ),
            When(status=Order.Status.COMPLETED, then=Value(Light.LATE.value)),
            default=Value(Light.CLOSED.value),
            output_field=CharField(),
        ),
        time_left=ExpressionWrapper(F("deadline") - Value(now), output_field=DurationField()),
    )


def light_of(order: Order, now: dt.datetime | None = None) -> Light:
    """The same rule in Python, for one order already in memory (e.g. right after an action)."""
    now = now or timezone.now()
    if order.status in Order.OPEN_STATUSES:
        if now >= order.deadline:
            return Light.RED
        if now >= order.deadline - dt.timedelta(hours=order.service_type.warning_hours):
            return Light.YELLOW
        return Light.GREEN
    if order.status == Order.Status.COMPLETED:
        return Light.ON_TIME if order.closed_at <= order.deadline else Light.LATE
    return Light.CLOSED
