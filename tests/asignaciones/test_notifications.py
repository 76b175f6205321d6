"""Who hears of what, once: jobs deferred with the action, idempotent delivery, the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from asignaciones import actions, notifications
from asignaciones.actions import visits
from asignaciones.models import Action, Order, OrderEvent, Reason
from heat.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

EMAIL = Notification.Channel.EMAIL
IN_APP = Notification.Channel.IN_APP


@pytest.fixture
def technician_with_email(technician_a):
    technician_a.email = "tecnico_a@example.com"
    technician_a.save(update_fields=["email"])
    return technician_a


def event_jobs() -> list[dict]:
    return list(
        ProcrastinateJob.objects.filter(task_name="asignaciones.notify_order_event").values_list("args", flat=True)
    )


def test_an_assignment_queues_its_notification_in_the_same_transaction(order_a, crew_a1, dispatcher_a):
    actions.assign(order_a, crew_a1, by=dispatcher_a)
    event = OrderEvent.objects.get(order=order_a, kind=OrderEvent.Kind.ASSIGNED)
    assert event_jobs() == [{"event_id": event.pk, "crew_id": crew_a1.pk}]
    job = ProcrastinateJob.objects.get(task_name="asignaciones.notify_order_event")
    assert job.queue_name == "notifications"


def test_a_rolled_back_action_leaves_no_job_behind(order_a, crew_a1, dispatcher_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.assign(order_a, crew_a1, by=dispatcher_a)
        assert len(event_jobs()) == 1  # deferred inside the transaction…
        raise RuntimeError("the request failed after the action")
    assert event_jobs() == []  # …and gone with it
    assert not OrderEvent.objects.filter(kind=OrderEvent.Kind.ASSIGNED).exists()


def test_a_refused_action_queues_nothing(order_a, crew_a1, outsider):
    with pytest.raises(actions.OrderActionError):
        actions.assign(order_a, crew_a1, by=outsider)
    assert event_jobs() == []


def test_routing_and_starting_queue_no_notification(assigned_order_a, technician_a):
    visits.check_in(assigned_order_a, by=technician_a)
    assert len(event_jobs()) == 1  # only the assignment's


def test_the_crew_gets_an_in_app_notice_and_a_spanish_email_with_two_parts(assigned_order_a, technician_with_email):
    event = assigned_order_a.events.get(kind=OrderEvent.Kind.ASSIGNED)
    assert notifications.deliver_event(event.pk) == 1
    in_app = Notification.objects.get(channel=IN_APP)
    assert in_app.recipient == technician_with_email
    assert in_app.title == f"Nuevo folio {assigned_order_a.folio} para su cuadrilla"
    assert in_app.url == reverse("tecnico:visit", args=[assigned_order_a.folio])
    (message,) = mail.outbox
    assert message.to == ["tecnico_a@example.com"]
    assert message.subject == f"Heat · Nuevo folio {assigned_order_a.folio} para su cuadrilla"
    assert "Hola, Tecnico_A:" in message.body
    assert f"/tecnico/visita/{assigned_order_a.folio}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Verlo en Heat" in html


def test_delivering_the_same_event_twice_sends_nothing_more(assigned_order_a, technician_with_email):
    event = assigned_order_a.events.get(kind=OrderEvent.Kind.ASSIGNED)
    notifications.deliver_event(event.pk)
    assert notifications.deliver_event(event.pk) == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 2  # one in the portal, one email


def test_a_retry_after_a_partial_failure_sends_only_what_was_not_sent(
    assigned_order_a, technician_with_email, crew_a1, monkeypatch
):
    second = factories.make_technician("tecnico_a_dos", crew_a1).user
    second.email = "dos@example.com"
    second.save(update_fields=["email"])
    real_send = notifications.send_email
    failures = {"left": 1}

    def flaky_send(row):
        if row.recipient == second and failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("mail server down")
        real_send(row)

    monkeypatch.setattr(notifications, "send_email", flaky_send)
    event = assigned_order_a.events.get(kind=OrderEvent.Kind.ASSIGNED)
    with pytest.raises(ConnectionError):
        notifications.deliver_event(event.pk)
    notifications.deliver_event(event.pk)  # the job's retry
    assert sorted(m.to[0] for m in mail.outbox) == ["dos@example.com", "tecnico_a@example.com"]
    assert Notification.objects.filter(channel=IN_APP).count() == 2
    assert not Notification.objects.filter(channel=EMAIL, sent_at__isnull=True).exists()


def test_a_reassignment_tells_both_crews(assigned_order_a, technician_a, crew_a2, dispatcher_a):
    other = factories.make_technician("tecnico_a2", crew_a2).user
    actions.reassign(assigned_order_a, crew_a2, by=dispatcher_a)
    event = OrderEvent.objects.get(kind=OrderEvent.Kind.REASSIGNED)
    notifications.deliver_event(event.pk)
    titles = dict(Notification.objects.filter(channel=IN_APP).values_list("recipient__username", "kind"))
    assert titles == {other.username: "assigned", technician_a.username: "unassigned"}


def test_unassignment_reschedule_and_cancellation_reach_the_crew(assigned_order_a, technician_a, dispatcher_a):
    reason = Reason.objects.get(action=Action.RESCHEDULE, code="CLIMA")
    day = actions.local_today(assigned_order_a.distributor) + dt.timedelta(days=2)
    from asignaciones.rules import policy_for

    actions.reschedule(
        assigned_order_a,
        date=day,
        window=Order.Window.MORNING,
        reason=reason,
        by=dispatcher_a,
        acknowledged_policy=policy_for(Action.RESCHEDULE, assigned_order_a.service_type),
    )
    actions.unassign(assigned_order_a, by=dispatcher_a)
    # The jobs run after both actions: each tells the crew the folio had at its event.
    for job in ProcrastinateJob.objects.filter(task_name="asignaciones.notify_order_event"):
        notifications.deliver_event(**job.args)
    kinds = set(Notification.objects.filter(recipient=technician_a).values_list("kind", flat=True))
    assert kinds == {"assigned", "rescheduled", "unassigned"}
    body = Notification.objects.get(kind="rescheduled").body
    assert "Lluvia / clima" in body


def test_a_technician_request_reaches_the_owner_and_dispatchers_only(
    assigned_order_a, technician_a, owner_a, dispatcher_a, outsider
):
    request = visits.flag_duplicate(
        assigned_order_a, by=technician_a, other_folio=factories.make_order(assigned_order_a.distributor).folio
    )
    notifications.deliver_request(request.pk, "created")
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"owner_a", "dispatcher_a"}
    assert Notification.objects.filter(kind="duplicate_flagged").count() == 2


# --- pages ---------------------------------------------------------------------------------------


def notice(user, title: str = "Aviso", **fields) -> Notification:
    from django.utils import timezone

    return Notification.objects.create(
        recipient=user,
        channel=IN_APP,
        key=f"test:{title}",
        kind="assigned",
        title=title,
        url=reverse("tecnico:visits"),
        created_at=timezone.now(),
        **fields,
    )


def test_the_badge_counts_only_my_unread_notifications(client, technician_a, dispatcher_a):
    notice(technician_a, "uno")
    notice(technician_a, "dos")
    notice(dispatcher_a, "de otro")
    client.force_login(technician_a)
    response = client.get(reverse("avisos:badge"))
    assert response.status_code == 200
    assert 'data-unread="2"' in response.content.decode()


def test_the_list_shows_my_notifications_in_a_fixed_number_of_queries(
    client, technician_a, django_assert_max_num_queries
):
    for i in range(12):
        notice(technician_a, f"aviso {i}")
    client.force_login(technician_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("avisos:list"))
    assert response.status_code == 200
    assert "aviso 11" in response.content.decode()
    assert "Marcar todos como leídos" in response.content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, technician_a):
    item = notice(technician_a)
    client.force_login(technician_a)
    assert client.get(reverse("avisos:read", args=[item.pk])).status_code == 405
    response = client.post(reverse("avisos:read", args=[item.pk]))
    assert response.status_code == 302 and response.url == reverse("tecnico:visits")
    item.refresh_from_db()
    assert item.read_at is not None


def test_someone_elses_notification_is_a_404(client, technician_a, dispatcher_a):
    item = notice(technician_a)
    client.force_login(dispatcher_a)
    assert client.post(reverse("avisos:read", args=[item.pk])).status_code == 404


def test_mark_all_read(client, technician_a):
    notice(technician_a, "uno")
    notice(technician_a, "dos")
    client.force_login(technician_a)
    assert client.post(reverse("avisos:read_all")).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("avisos:badge"))
    assert response.status_code == 302 and "/entrar/" in response.url
