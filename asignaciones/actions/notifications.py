"""Writes that cause notifications outside any order action: the traffic-light sweep."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from asignaciones.models import LightAlert, Order
from asignaciones.sla import Light, with_traffic_light


def sweep_traffic_lights(now: dt.datetime | None = None) -> int:
    """Record every open folio that is yellow or red and has no alert of that colour yet, and
    defer its notification in the same transaction. Returns how many alerts were recorded.

    The unique (order, colour) makes the sweep idempotent: two sweeps at once, or a sweep retried,
    record and notify each colour of a folio once. A folio found already red without a yellow
    alert (e.g. the worker was down) is notified red only."""
    from asignaciones.tasks import defer_in_transaction, notify_light

    now = now or timezone.now()
    already = LightAlert.objects.filter(order=OuterRef("pk"), colour=OuterRef("light"))
    candidates = (
        with_traffic_light(Order.objects.filter(status__in=Order.OPEN_STATUSES), now)
        .filter(light__in=(Light.YELLOW.value, Light.RED.value))
        .filter(~Exists(already))
        .values_list("pk", "light")
    )
    recorded = 0
    for order_id, colour in candidates:
        try:
            with transaction.atomic():
                alert = LightAlert.objects.create(order_id=order_id, colour=colour, at=now)
                defer_in_transaction(notify_light, alert_id=alert.pk)
        except IntegrityError:
            continue  # another sweep recorded it first
        recorded += 1
    return recorded
