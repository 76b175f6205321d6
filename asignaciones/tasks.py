"""Background jobs (procrastinate, on the same PostgreSQL): notifications and the SLA sweep.

Jobs are deferred with :func:`defer_in_transaction`, which always writes the job row through
Django's own connection — also inside a worker, whose app connector is a separate pool — so a job
is committed together with the change that caused it, or not at all.
"""

from __future__ import annotations

from typing import Any

import procrastinate
from procrastinate import manager
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.tasks import Task, configure_task

from asignaciones import notifications

NOTIFICATIONS_QUEUE = "notifications"
SWEEPS_QUEUE = "sweeps"

# A failed delivery (mail server down) is tried again after 2, 4, 8, 16 s: five attempts in all.
DELIVERY_RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)

_transactional_jobs = manager.JobManager(DjangoConnector())


def defer_in_transaction(task: Task, **task_kwargs: Any) -> int:
    """Defer ``task`` on Django's connection: part of the caller's transaction."""
    return configure_task(
        name=task.name,
        job_manager=_transactional_jobs,
        queue=task.queue,
        lock=task.lock,
        queueing_lock=task.queueing_lock,
        priority=task.priority,
    ).defer(**task_kwargs)


@app.task(name="asignaciones.notify_order_event", queue=NOTIFICATIONS_QUEUE, retry=DELIVERY_RETRY)
def notify_order_event(event_id: int, crew_id: int | None = None) -> int:
    """Tell the crew's technicians (of ``crew_id``, the folio's crew at the event) about an
    assignment, reassignment, unassignment, reschedule or cancellation."""
    return notifications.deliver_event(event_id, crew_id)


@app.task(name="asignaciones.notify_request", queue=NOTIFICATIONS_QUEUE, retry=DELIVERY_RETRY)
def notify_request(request_id: int, stage: str) -> int:
    """A technician's request to the dispatchers (``created``), or its answer (``decided``)."""
    return notifications.deliver_request(request_id, stage)


@app.task(name="asignaciones.notify_light", queue=NOTIFICATIONS_QUEUE, retry=DELIVERY_RETRY)
def notify_light(alert_id: int) -> int:
    """Tell the distributor that a folio turned yellow or red."""
    return notifications.deliver_light(alert_id)


@app.periodic(cron="*/5 * * * *", periodic_id="sweep_traffic_lights")
@app.task(name="asignaciones.sweep_traffic_lights", queue=SWEEPS_QUEUE, queueing_lock="sweep_traffic_lights")
def sweep_traffic_lights(timestamp: int) -> int:
    """Every five minutes: record folios that turned yellow or red and notify each colour once."""
    from asignaciones.actions.notifications import sweep_traffic_lights as sweep

    return sweep()
