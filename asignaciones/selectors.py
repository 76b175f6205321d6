"""Read queries for orders, scoped to what the user may see. Views never query Order directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from asignaciones.models import Order, Policy
from asignaciones.sla import with_traffic_light
from heat.tenancy import RoleKind, portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


def orders_visible_to(user: User) -> QuerySet[Order]:
    """Back office: all; master: its distributors'; owner/dispatcher: their distributor's;
    technician: their crew's; anyone else: none."""
    role = portal_role(user)
    qs = Order.objects.all()
    match role.kind:
        case RoleKind.BACK_OFFICE:
            return qs
        case RoleKind.MASTER:
            return qs.filter(distributor__master=role.master)
        case RoleKind.OWNER | RoleKind.DISPATCHER:
            return qs.filter(distributor=role.distributor)
        case RoleKind.TECHNICIAN:
            return qs.filter(crew=role.crew)
    return qs.none()


def get_order_for(user: User, folio: str) -> Order:
    """The order with its traffic light, or 404 — the same 404 whether the folio does not exist
    or belongs to someone else, so the answer never tells one from the other."""
    qs = with_traffic_light(orders_visible_to(user)).select_related("distributor", "crew", "brand", "service_type")
    try:
        return qs.get(folio=folio)
    except Order.DoesNotExist:
        raise Http404("No such folio") from None


def policies_visible_to(user: User) -> QuerySet[Policy]:
    """The company's policies are for every portal user; inactive versions are for the back
    office (acknowledgements keep pointing at them)."""
    role = portal_role(user)
    if role.kind == RoleKind.NONE:
        return Policy.objects.none()
    if role.is_back_office:
        return Policy.objects.all()
    return Policy.objects.filter(active=True)
