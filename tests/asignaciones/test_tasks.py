"""The jobs with a real procrastinate worker, and the traffic-light sweep."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from asignaciones import actions, notifications
from asignaciones.actions.notifications import sweep_traffic_lights
from asignaciones.models import LightAlert
from heat.models import Notification
from tests import factories


@pytest.fixture(autouse=True)
def empty_queue(request):
    """procrastinate's tables are not Django-managed, so a transactional test's flush leaves
    their rows behind: start every test here from an empty queue."""
    if "transactional_db" in request.fixturenames or request.node.get_closest_marker("django_db").kwargs.get(
        "transaction"
    ):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE procrastinate_jobs RESTART IDENTITY CASCADE")


def run_worker() -> None:
    """A real worker, in this process, until the queue is empty (--one-shot)."""
    call_command("procrastinate", "worker", "--one-shot", "--queues", "notifications", "--concurrency", "1")


def make_backoff_elapse() -> None:
    """The retry waits (exponential backoff) in the database's own clock; skip the wait."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_each_notification_once_even_when_the_first_attempt_fails(
    order_a, crew_a1, dispatcher_a, technician_a, monkeypatch
):
    technician_a.email = "tecnico_a@example.com"
    technician_a.save(update_fields=["email"])
    real_send = notifications.send_email
    attempts = []

    def fails_the_first_time(row):
        attempts.append(row.pk)
        if len(attempts) == 1:
            raise ConnectionError("mail server down")
        real_send(row)

    monkeypatch.setattr(notifications, "send_email", fails_the_first_time)
    actions.assign(order_a, crew_a1, by=dispatcher_a)  # committed: this test runs without a wrapping transaction

    run_worker()
    job = ProcrastinateJob.objects.get(task_name="asignaciones.notify_order_event")
    assert job.status == "todo" and job.attempts == 1  # failed, to be retried…
    assert job.scheduled_at > timezone.now()  # …after a backoff
    assert mail.outbox == []
    assert Notification.objects.filter(channel="in_app").count() == 1  # written by the failed attempt

    make_backoff_elapse()
    run_worker()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(channel="in_app").count() == 1
    assert Notification.objects.get(channel="email").sent_at is not None

    # A further run (or a duplicate job) finds nothing left to send.
    run_worker()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_deferred_in_a_rolled_back_transaction_never_runs(order_a, crew_a1, dispatcher_a, technician_a):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        actions.assign(order_a, crew_a1, by=dispatcher_a)
        raise RuntimeError("rolled back")
    assert not ProcrastinateJob.objects.filter(task_name="asignaciones.notify_order_event").exists()
    run_worker()
    assert not Notification.objects.exists()


# --- the traffic-light sweep ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_notifies_once_when_a_folio_turns_yellow_and_once_when_it_turns_red(
    distributor_a, crew_a1, dispatcher_a, owner_a
):
    routed = timezone.now()
    order = factories.make_order(distributor_a, service_type="REP", routed_at=routed)  # 48 h, yellow at 40 h
    actions.assign(order, crew_a1, by=dispatcher_a)

    def sweep_at(hours: float) -> int:
        with time_machine.travel(routed + dt.timedelta(hours=hours), tick=False):
            return sweep_traffic_lights()

    assert sweep_at(39) == 0  # still green
    assert sweep_at(41) == 1  # turned yellow
    assert sweep_at(42) == 0  # still yellow: already told
    assert sweep_at(49) == 1  # turned red
    assert sweep_at(60) == 0
    assert list(LightAlert.objects.order_by("at").values_list("colour", flat=True)) == ["yellow", "red"]

    jobs = ProcrastinateJob.objects.filter(task_name="asignaciones.notify_light")
    assert jobs.count() == 2
    for job in jobs:
        notifications.deliver_light(**job.args)
        notifications.deliver_light(**job.args)  # a retried job changes nothing
    titles = sorted(Notification.objects.filter(recipient=dispatcher_a).values_list("title", flat=True))
    assert titles == [f"El folio {order.folio} está por vencer", f"El folio {order.folio} está vencido"]
    assert Notification.objects.filter(recipient=owner_a).count() == 2


@pytest.mark.django_db
def test_a_folio_first_seen_red_is_notified_red_only_and_closed_folios_are_left_alone(
    distributor_a, crew_a1, dispatcher_a, technician_a
):
    routed = timezone.now()
    late = factories.make_order(distributor_a, service_type="REP", routed_at=routed)
    done = actions.assign(
        factories.make_order(distributor_a, service_type="REP", routed_at=routed), crew_a1, by=dispatcher_a
    )
    from asignaciones.models import Action, Reason

    actions.complete(done, by=technician_a, solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="INST_OK")])
    with time_machine.travel(routed + dt.timedelta(hours=100), tick=False):
        assert sweep_traffic_lights() == 1
    assert list(LightAlert.objects.values_list("order__folio", "colour")) == [(late.folio, "red")]


@pytest.mark.django_db
def test_the_sweep_is_a_periodic_task_every_five_minutes():
    from procrastinate.contrib.django import app

    periodic = {p.periodic_id: p for p in app.periodic_registry.periodic_tasks.values()}
    assert periodic["sweep_traffic_lights"].cron == "*/5 * * * *"
