"""Who is told what, and how: in the portal and by email.

The jobs in ``asignaciones.tasks`` call :func:`deliver` with a *key* that names the cause (an
order event, a technician request, a traffic-light change). Each (key, recipient, channel) is one
``Notification`` row, unique in the database: a job retried after a partial failure finds the rows
it already wrote and only sends the emails still marked unsent, so one cause never produces two
messages for the same person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from asignaciones.models import LightAlert, Order, OrderEvent, TechnicianRequest
from heat.models import Membership, Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

K = OrderEvent.Kind

# Order events the crew's technicians hear about.
CREW_EVENTS = frozenset({K.ASSIGNED, K.REASSIGNED, K.UNASSIGNED, K.RESCHEDULED, K.CANCELLED})


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str
    url: str


Plan = list[tuple[Iterable["User"], Message]]


# --- recipients ----------------------------------------------------------------------------------


def crew_technicians(crew_id: int | None) -> QuerySet:
    if crew_id is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(technician__crew_id=crew_id, technician__active=True, is_active=True)
        .order_by("pk")
    )


def distributor_staff(distributor_id: int) -> QuerySet:
    """The owner and the dispatchers: the people who act on the distributor's folios."""
    return (
        get_user_model()
        .objects.filter(
            membership__distributor_id=distributor_id,
            membership__role__in=(Membership.Role.OWNER, Membership.Role.DISPATCHER),
            is_active=True,
        )
        .order_by("pk")
    )


# --- links ---------------------------------------------------------------------------------------


def visit_url(order: Order) -> str:
    return reverse("tecnico:visit", args=[order.folio])


def folio_url(order: Order) -> str:
    """The folio's page on the distributor's side."""
    try:
        return reverse("asignaciones:order", args=[order.folio])
    except NoReverseMatch:  # the distributor pages are not installed: the requests list
        return reverse("solicitudes:list")


def absolute(url: str) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{base}{url}"


def _appointment(order: Order) -> str:
    if order.appointment_date is None:
        return _("no appointment")
    day = formats.date_format(order.appointment_date, "l j \\d\\e F")
    return f"{day}, {order.get_appointment_window_display()}" if order.appointment_window else day


def _address(order: Order) -> str:
    interior = f" int. {order.interior_number}" if order.interior_number else ""
    return f"{order.street} {order.exterior_number}{interior}, {order.neighborhood}, {order.city}"


# --- what each cause says ------------------------------------------------------------------------


def plan_for_event(event: OrderEvent, crew_id: int | None) -> Plan:
    """The crew's technicians hear of assignments, reassignments (both crews), unassignments,
    reschedules and cancellations of their folios. ``crew_id`` is the folio's crew when the event
    happened: by the time the job runs the folio may have moved on."""
    order = event.order
    summary = _("%(type)s · %(address)s · appointment: %(appointment)s") % {
        "type": order.service_type.name,
        "address": _address(order),
        "appointment": _appointment(order),
    }
    folio = order.folio
    plan: Plan = []
    match event.kind:
        case K.ASSIGNED:
            plan.append(
                (
                    crew_technicians(crew_id),
                    Message(
                        "assigned", _("New folio %(folio)s for your crew") % {"folio": folio}, summary, visit_url(order)
                    ),
                )
            )
        case K.REASSIGNED:
            plan.append(
                (
                    crew_technicians(crew_id),
                    Message(
                        "assigned",
                        _("Folio %(folio)s was reassigned to your crew") % {"folio": folio},
                        summary,
                        visit_url(order),
                    ),
                )
            )
            plan.append(
                (
                    crew_technicians(event.data.get("previous_crew_id")),
                    Message(
                        "unassigned",
                        _("Folio %(folio)s is no longer your crew's") % {"folio": folio},
                        _("It was reassigned to another crew; you do not need to visit it."),
                        reverse("tecnico:visits"),
                    ),
                )
            )
        case K.UNASSIGNED:
            plan.append(
                (
                    crew_technicians(event.data.get("previous_crew_id")),
                    Message(
                        "unassigned",
                        _("Folio %(folio)s is no longer your crew's") % {"folio": folio},
                        _("The distributor took it back; you do not need to visit it."),
                        reverse("tecnico:visits"),
                    ),
                )
            )
        case K.RESCHEDULED:
            plan.append(
                (
                    crew_technicians(crew_id),
                    Message(
                        "rescheduled",
                        _("Folio %(folio)s was rescheduled") % {"folio": folio},
                        _("New appointment: %(appointment)s. Reason: %(reason)s.")
                        % {"appointment": _appointment(order), "reason": event.reason.label if event.reason else "—"},
                        visit_url(order),
                    ),
                )
            )
        case K.CANCELLED:
            plan.append(
                (
                    crew_technicians(crew_id),
                    Message(
                        "cancelled",
                        _("Folio %(folio)s was cancelled") % {"folio": folio},
                        _("Reason: %(reason)s. You do not need to visit it.")
                        % {"reason": event.reason.label if event.reason else "—"},
                        reverse("tecnico:visits"),
                    ),
                )
            )
    return plan


def plan_for_request(request: TechnicianRequest, stage: str) -> Plan:
    """A new request goes to the distributor's owner and dispatchers; the decision goes back to
    the technician who asked."""
    order = request.order
    technician = request.requested_by.get_full_name() or request.requested_by.get_username()
    if stage == "created":
        if request.kind == TechnicianRequest.Kind.RESCHEDULE:
            title = _("%(technician)s asks to reschedule folio %(folio)s") % {
                "technician": technician,
                "folio": order.folio,
            }
            body = _("Reason: %(reason)s. Proposed: %(date)s, %(window)s.") % {
                "reason": request.reason.label if request.reason else "—",
                "date": formats.date_format(request.proposed_date, "SHORT_DATE_FORMAT"),
                "window": request.get_proposed_window_display(),
            }
            kind = "reschedule_requested"
        else:
            title = _("%(technician)s flags folio %(folio)s as a duplicate") % {
                "technician": technician,
                "folio": order.folio,
            }
            body = _("It would duplicate folio %(other)s.") % {"other": request.other_folio}
            kind = "duplicate_flagged"
        if request.note:
            body = f"{body} {request.note}"
        return [(distributor_staff(order.distributor_id), Message(kind, title, body, reverse("solicitudes:list")))]
    accepted = request.status == TechnicianRequest.Status.ACCEPTED
    title = (
        _("Your request for folio %(folio)s was accepted")
        if accepted
        else _("Your request for folio %(folio)s was refused")
    ) % {"folio": order.folio}
    body = request.decision_note or request.get_kind_display()
    url = reverse("tecnico:visits") if not order.is_open else visit_url(order)
    return [
        (
            get_user_model().objects.filter(pk=request.requested_by_id, is_active=True),
            Message("request_accepted" if accepted else "request_refused", title, body, url),
        )
    ]


def plan_for_light(alert: LightAlert) -> Plan:
    order = alert.order
    deadline = formats.date_format(timezone.localtime(order.deadline, order.distributor.zone), "DATETIME_FORMAT")
    if alert.colour == LightAlert.Colour.YELLOW:
        title = _("Folio %(folio)s is about to expire") % {"folio": order.folio}
        kind = "turned_yellow"
    else:
        title = _("Folio %(folio)s is overdue") % {"folio": order.folio}
        kind = "turned_red"
    crew = order.crew.code if order.crew_id else _("no crew")
    body = _("Deadline: %(deadline)s. Crew: %(crew)s. Status: %(status)s.") % {
        "deadline": deadline,
        "crew": crew,
        "status": order.get_status_display().lower(),
    }
    return [(distributor_staff(order.distributor_id), Message(kind, title, body, folio_url(order)))]


# --- delivery ------------------------------------------------------------------------------------


def deliver(key: str, order: Order | None, plan: Plan) -> int:
    """Write the in-app rows and send the emails of ``plan``; idempotent by (key, recipient,
    channel). Returns the number of emails sent by this call.

    Each email is sent inside its own short transaction that locks its row and marks it sent:
    if sending raises, the row stays unsent and the job's retry sends it; a row already marked
    sent is never sent again."""
    now = timezone.now()
    rows = []
    for users, message in plan:
        for user in users:
            common = {
                "recipient": user,
                "key": key,
                "kind": message.kind,
                "order": order,
                "title": message.title[:200],
                "body": message.body,
                "url": message.url,
                "created_at": now,
            }
            rows.append(Notification(channel=Notification.Channel.IN_APP, **common))
            if user.email:
                rows.append(Notification(channel=Notification.Channel.EMAIL, **common))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)

    sent = 0
    pending = Notification.objects.filter(key=key, channel=Notification.Channel.EMAIL, sent_at__isnull=True)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("recipient")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if row is None:  # sent meanwhile, or another worker holds it
                continue
            send_email(row)
            row.sent_at = timezone.now()
            row.save(update_fields=["sent_at"])
            sent += 1
    return sent


def send_email(notification: Notification) -> None:
    """One email, Spanish, with a plain-text and an HTML part."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "notification": notification,
            "recipient": notification.recipient,
            "link": absolute(notification.url) if notification.url else "",
        }
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
        message = EmailMultiAlternatives(
            subject=f"Heat · {notification.title}",
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient.email],
        )
        message.attach_alternative(html, "text/html")
        message.send()


def deliver_event(event_id: int, crew_id: int | None = None) -> int:
    event = (
        OrderEvent.objects.select_related("order__service_type", "order__distributor", "order__crew", "reason")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.kind not in CREW_EVENTS:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        plan = plan_for_event(event, crew_id if crew_id is not None else event.order.crew_id)
    return deliver(f"event:{event.pk}", event.order, plan)


def deliver_request(request_id: int, stage: str) -> int:
    request = (
        TechnicianRequest.objects.select_related("order__distributor", "requested_by", "reason")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        plan = plan_for_request(request, stage)
    return deliver(f"request:{request.pk}:{stage}", request.order, plan)


def deliver_light(alert_id: int) -> int:
    alert = LightAlert.objects.select_related("order__distributor", "order__crew").filter(pk=alert_id).first()
    if alert is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        plan = plan_for_light(alert)
    return deliver(f"light:{alert.order_id}:{alert.colour}", alert.order, plan)
