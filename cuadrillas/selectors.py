"""Read queries for crews, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)

from asignaciones.models import Order
from cuadrillas.geo import great_circle_km_sql
from cuadrillas.models import Crew
from heat.tenancy import RoleKind, portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


def crews_visible_to(user: User) -> QuerySet[Crew]:
    role = portal_role(user)
    match role.kind:
        case RoleKind.BACK_OFFICE:
            return Crew.objects.all()
        case RoleKind.MASTER:
            return Crew.objects.filter(distributor__master=role.master)
        case RoleKind.OWNER | RoleKind.DISPATCHER:
            return Crew.objects.filter(distributor=role.distributor)
        case RoleKind.TECHNICIAN:
            return Crew.objects.filter(pk=role.crew.pk)
    return Crew.objects.none()


def order_in_coverage_sql(order: Order) -> ExpressionWrapper:
    """SQL boolean: is ``order`` inside its distributor's coverage (postal codes or radius)?
    Evaluated on the distributor row joined as ``distributor``."""
    in_list = Q(distributor__coverage_postal_codes__contains=[order.postal_code])
    in_radius = Q(distributor__coverage_radius_km__isnull=False) & Q(
        distributor__coverage_radius_km__gte=great_circle_km_sql(
            "distributor__base_latitude", "distributor__base_longitude", order.latitude, order.longitude
        )
    )
    covers_all = Q(distributor__coverage_postal_codes=[]) & Q(distributor__coverage_radius_km__isnull=True)
    return ExpressionWrapper(in_list | in_radius | covers_all, output_field=BooleanField())


def crews_ranked_for(order: Order, *, day: dt.date) -> QuerySet[Crew]:
    """The order's distributor's active crews, nearest first, in one query, each with:
    ``distance_km`` from its base to the customer, ``load`` (open visits on ``day``),
    ``serves_brand``, ``serves_type``, ``has_room`` and ``order_in_coverage``."""
    open_visits = Q(orders__status__in=(Order.Status.ASSIGNED, Order.Status.IN_PROGRESS)) & (
        Q(orders__appointment_date=day) | Q(orders__appointment_date__isnull=True)
    )
    brand_served = Crew.brands.through.objects.filter(crew=OuterRef("pk"), brand_id=order.brand_id)
    type_served = Crew.service_types.through.objects.filter(crew=OuterRef("pk"), servicetype_id=order.service_type_id)
    return (
        Crew.objects.filter(distributor_id=order.distributor_id, active=True)
        .annotate(
            distance_km=great_circle_km_sql("base_latitude", "base_longitude", order.latitude, order.longitude),
            load=Count("orders", filter=open_visits & ~Q(orders__pk=order.pk)),
            serves_brand=Exists(brand_served),
            serves_type=Exists(type_served),
            order_in_coverage=order_in_coverage_sql(order),
        )
        .annotate(
            has_room=ExpressionWrapper(Q(load__lt=F("daily_capacity")), output_field=BooleanField()),
            fits=ExpressionWrapper(Q(serves_brand=True) & Q(serves_type=True), output_field=BooleanField()),
        )
        .order_by("distance_km", "code")
    )
