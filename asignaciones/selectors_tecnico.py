"""Read queries for the technician's pages, the visit control, technician requests and the
user's notifications. Everything starts from ``orders_visible_to``: a technician sees their
crew's folios only, a dispatcher their distributor's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from asignaciones.models import Order, TechnicianRequest, VisitPhoto
from asignaciones.selectors import orders_visible_to
from asignaciones.sla import with_traffic_light
from heat.models import Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

WEEK_DAYS = 7


@dataclass(frozen=True)
class Visits:
    today: list[Order]
    week: list[Order]
    day: dt.date


def visits_for(user: User, *, day: dt.date, now: dt.datetime | None = None) -> Visits:
    """The crew's open visits from ``day`` to six days later, in appointment order: date, window
    (morning before afternoon), then deadline. Unscheduled visits and missed appointments count
    as today's (they are due now). One query."""
    qs = (
        with_traffic_light(orders_visible_to(user), now or timezone.now())
        .filter(status__in=(Order.Status.ASSIGNED, Order.Status.IN_PROGRESS))
        .filter(Q(appointment_date__isnull=True) | Q(appointment_date__lte=day + dt.timedelta(days=WEEK_DAYS - 1)))
        .annotate(
            visit_day=Coalesce("appointment_date", Value(day)),
            window_rank=Case(
                When(appointment_window=Order.Window.MORNING, then=Value(0)),
                When(appointment_window=Order.Window.AFTERNOON, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .select_related("service_type", "brand")
        .order_by("visit_day", "window_rank", "deadline", "folio")
    )
    today, week = [], []
    for order in qs:
        (today if order.visit_day <= day else week).append(order)
    return Visits(today=today, week=week, day=day)


def visit_for(user: User, folio: str) -> Order:
    """One folio with everything its visit page shows, or 404 (absent or not the user's).
    A fixed number of queries: the order, then photos, requests and material (prefetched)."""
    qs = (
        with_traffic_light(orders_visible_to(user))
        .select_related(
            "distributor",
            "crew",
            "brand",
            "service_type",
            "check_in__technician",
            "solution_code_1",
            "solution_code_2",
            "solution_code_3",
        )
        .prefetch_related(
            Prefetch("photos", queryset=VisitPhoto.objects.order_by("uploaded_at", "pk")),
            Prefetch(
                "requests",
                queryset=TechnicianRequest.objects.select_related("requested_by", "reason", "decided_by").order_by(
                    "-requested_at", "-pk"
                ),
            ),
            "materials__material",
        )
    )
    try:
        return qs.get(folio=folio)
    except Order.DoesNotExist:
        raise Http404("No such folio") from None


def requests_visible_to(user: User) -> QuerySet[TechnicianRequest]:
    return TechnicianRequest.objects.filter(order__in=orders_visible_to(user).values("pk"))


def pending_requests_for(user: User) -> QuerySet[TechnicianRequest]:
    """Pending requests on open folios, oldest first (they have waited longest). One query."""
    return (
        requests_visible_to(user)
        .filter(status=TechnicianRequest.Status.PENDING, order__status__in=Order.OPEN_STATUSES)
        .select_related("order__service_type", "order__crew", "requested_by", "reason")
        .order_by("requested_at", "pk")
    )


def get_request_for(user: User, pk: int) -> TechnicianRequest:
    """A request of a folio the user may see, or 404 (absent or someone else's)."""
    try:
        return requests_visible_to(user).select_related("order__service_type").get(pk=pk)
    except TechnicianRequest.DoesNotExist:
        raise Http404("No such request") from None


def photo_for(user: User, pk: int) -> VisitPhoto:
    try:
        return VisitPhoto.objects.filter(order__in=orders_visible_to(user).values("pk")).get(pk=pk)
    except VisitPhoto.DoesNotExist:
        raise Http404("No such photo") from None


# --- notifications -------------------------------------------------------------------------------


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's in-portal notifications, newest first."""
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP).order_by(
        "-created_at", "-pk"
    )


def unread_for(user: User) -> QuerySet[Notification]:
    return notifications_for(user).filter(read_at__isnull=True)
