"""Who a signed-in user is in the portal, and which distributors they may see.

Every selector starts from :func:`portal_role`, so tenancy is decided in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from heat.models import Distributor, Master, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from cuadrillas.models import Crew, Technician


class RoleKind(StrEnum):
    BACK_OFFICE = "back_office"
    MASTER = "master"
    OWNER = "owner"
    DISPATCHER = "dispatcher"
    TECHNICIAN = "technician"
    NONE = "none"


@dataclass(frozen=True)
class PortalRole:
    kind: RoleKind
    distributor: Distributor | None = None
    master: Master | None = None
    technician: Technician | None = None

    @property
    def crew(self) -> Crew | None:
        return self.technician.crew if self.technician else None

    @property
    def is_back_office(self) -> bool:
        return self.kind == RoleKind.BACK_OFFICE

    @property
    def is_distributor_staff(self) -> bool:
        """Owner or dispatcher: may act on the distributor's folios."""
        return self.kind in (RoleKind.OWNER, RoleKind.DISPATCHER)

    @property
    def is_owner(self) -> bool:
        return self.kind == RoleKind.OWNER

    @property
    def is_master(self) -> bool:
        return self.kind == RoleKind.MASTER

    @property
    def is_technician(self) -> bool:
        return self.kind == RoleKind.TECHNICIAN

    def distributors(self) -> QuerySet[Distributor]:
        """The distributors whose data this role may read."""
        match self.kind:
            case RoleKind.BACK_OFFICE:
                return Distributor.objects.all()
            case RoleKind.MASTER:
                return Distributor.objects.filter(master=self.master)
            case RoleKind.OWNER | RoleKind.DISPATCHER | RoleKind.TECHNICIAN:
                return Distributor.objects.filter(pk=self.distributor.pk)
        return Distributor.objects.none()


NO_ROLE = PortalRole(RoleKind.NONE)


def portal_role(user: AbstractBaseUser) -> PortalRole:
    """The user's role, computed once per request (cached on the user object)."""
    if not user or not user.is_authenticated or not user.is_active:
        return NO_ROLE
    cached = getattr(user, "_heat_role", None)
    if cached is not None:
        return cached
    role = _compute_role(user)
    user._heat_role = role
    return role


def _compute_role(user: AbstractBaseUser) -> PortalRole:
    if user.is_staff:
        return PortalRole(RoleKind.BACK_OFFICE)
    try:
        membership = Membership.objects.select_related("distributor", "master").get(user=user)
    except Membership.DoesNotExist:
        membership = None
    if membership is not None:
        if membership.role == Membership.Role.MASTER_VIEWER:
            return PortalRole(RoleKind.MASTER, master=membership.master)
        if not membership.distributor.active:
            return NO_ROLE
        return PortalRole(RoleKind(membership.role), distributor=membership.distributor)
    try:
        technician = user.technician
    except ObjectDoesNotExist:
        return NO_ROLE
    if not technician.active:
        return NO_ROLE
    from cuadrillas.models import Technician

    technician = Technician.objects.select_related("crew__distributor").get(pk=technician.pk)
    if not technician.crew.distributor.active:
        return NO_ROLE
    return PortalRole(RoleKind.TECHNICIAN, distributor=technician.crew.distributor, technician=technician)
