"""Read queries for the crews pages, scoped with ``crews_visible_to``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from asignaciones.models import Order
from cuadrillas.models import Crew, Technician
from cuadrillas.selectors import crews_visible_to
from heat.tenancy import portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


def portal_today(user: User) -> dt.date:
    """'Today' in the user's distributor's time zone (the portal's zone for multi-distributor roles)."""
    role = portal_role(user)
    if role.distributor is not None:
        return timezone.now().astimezone(role.distributor.zone).date()
    return timezone.localdate()


def crews_with_load(user: User, day: dt.date) -> QuerySet[Crew]:
    """The user's crews with ``load`` (open visits on ``day``, as assignment counts them), their
    technicians, brands and types, in a fixed number of queries."""
    open_visits = Q(orders__status__in=(Order.Status.ASSIGNED, Order.Status.IN_PROGRESS)) & (
        Q(orders__appointment_date=day) | Q(orders__appointment_date__isnull=True)
    )
    return (
        crews_visible_to(user)
        .select_related("distributor")
        .annotate(load=Count("orders", filter=open_visits))
        .prefetch_related(
            Prefetch("technicians", queryset=Technician.objects.select_related("user").order_by("user__first_name")),
            "brands",
            "service_types",
        )
        .order_by("distributor__name", "code")
    )


def technicians_visible_to(user: User) -> QuerySet[Technician]:
    return Technician.objects.filter(crew__in=crews_visible_to(user)).select_related("crew", "user")


def crew_open_orders(crew: Crew) -> QuerySet[Order]:
    from asignaciones.sla import with_traffic_light

    return (
        with_traffic_light(
            Order.objects.filter(crew=crew, status__in=(Order.Status.ASSIGNED, Order.Status.IN_PROGRESS))
        )
        .select_related("service_type", "brand")
        .order_by("deadline")
    )
