"""Crews: create and edit them, and move technicians between the crews of one distributor.

Only the distributor's owner does these (dispatchers read). Technician accounts themselves are
created by the back office in the admin, never here.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from asignaciones.models import Brand, Order, ServiceType
from cuadrillas.models import Crew, Technician
from heat.models import Distributor
from heat.tenancy import portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


class CrewActionError(Exception):
    """A business rule refused the change. The message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_owner(distributor_id: int, by: User) -> None:
    role = portal_role(by)
    if not (role.is_owner and role.distributor.pk == distributor_id):
        raise CrewActionError(_("Only the distributor's owner may change its crews."))


def _check_code_free(distributor_id: int, code: str, *, excluding: int | None = None) -> None:
    clash = Crew.objects.filter(distributor_id=distributor_id, code__iexact=code)
    if excluding is not None:
        clash = clash.exclude(pk=excluding)
    if clash.exists():
        raise CrewActionError(_("The distributor already has a crew with code %(code)s.") % {"code": code})


@transaction.atomic
def create_crew(
    distributor: Distributor,
    *,
    by: User,
    code: str,
    name: str,
    base_latitude: Decimal,
    base_longitude: Decimal,
    brands: Iterable[Brand],
    service_types: Iterable[ServiceType],
    daily_capacity: int,
    active: bool = True,
) -> Crew:
    """A new crew of the owner's distributor. Rules: the owner's own distributor; the code is
    not taken in that distributor (case-insensitive)."""
    _check_owner(distributor.pk, by)
    code = code.strip()
    _check_code_free(distributor.pk, code)
    crew = Crew.objects.create(
        distributor=distributor,
        code=code,
        name=name,
        base_latitude=base_latitude,
        base_longitude=base_longitude,
        daily_capacity=daily_capacity,
        active=active,
    )
    crew.brands.set(brands)
    crew.service_types.set(service_types)
    return crew


@transaction.atomic
def update_crew(
    crew: Crew,
    *,
    by: User,
    code: str,
    name: str,
    base_latitude: Decimal,
    base_longitude: Decimal,
    brands: Iterable[Brand],
    service_types: Iterable[ServiceType],
    daily_capacity: int,
    active: bool,
) -> Crew:
    """Edit a crew. Rules: the owner's own distributor; the code is not taken; a crew with open
    folios cannot be deactivated, nor stop serving a brand or type of one of its open folios
    (reassign them first). The crew row is locked so assignments wait for the change."""
    crew = Crew.objects.select_for_update(no_key=True).get(pk=crew.pk)
    _check_owner(crew.distributor_id, by)
    code = code.strip()
    _check_code_free(crew.distributor_id, code, excluding=crew.pk)
    brands, service_types = list(brands), list(service_types)
    open_orders = Order.objects.filter(crew=crew, status__in=(Order.Status.ASSIGNED, Order.Status.IN_PROGRESS))
    if not active and open_orders.exists():
        raise CrewActionError(
            _("Crew %(crew)s still has %(count)s open folios: reassign them before deactivating it.")
            % {"crew": crew.code, "count": open_orders.count()}
        )
    if open_orders.exclude(brand__in=brands).exists() or open_orders.exclude(service_type__in=service_types).exists():
        raise CrewActionError(
            _("Crew %(crew)s has open folios of a brand or type it would no longer serve: reassign them first.")
            % {"crew": crew.code}
        )
    crew.code, crew.name = code, name
    crew.base_latitude, crew.base_longitude = base_latitude, base_longitude
    crew.daily_capacity, crew.active = daily_capacity, active
    crew.save(update_fields=["code", "name", "base_latitude", "base_longitude", "daily_capacity", "active"])
    crew.brands.set(brands)
    crew.service_types.set(service_types)
    return crew


@transaction.atomic
def move_technician(technician: Technician, crew: Crew, *, by: User) -> Technician:
    """Move a technician to another crew of the same distributor. Rules: the owner's own
    distributor; the target crew is of that distributor, active, and not the current one."""
    technician = Technician.objects.select_for_update(no_key=True).select_related("crew").get(pk=technician.pk)
    _check_owner(technician.crew.distributor_id, by)
    if crew.distributor_id != technician.crew.distributor_id:
        raise CrewActionError(_("A technician can only move between crews of the same distributor."))
    if crew.pk == technician.crew_id:
        raise CrewActionError(_("%(name)s is already in crew %(crew)s.") % {"name": technician, "crew": crew.code})
    if not crew.active:
        raise CrewActionError(_("Crew %(crew)s is not active.") % {"crew": crew.code})
    technician.crew = crew
    technician.save(update_fields=["crew"])
    return technician
