"""Every movement of material in or out of a crew's hands.

Entries (material handed to a crew) and returns (material, e.g. recovered receivers, handed back
to the warehouse) are recorded by the distributor's owner or dispatchers, or the back office.
Consumption and recovered receivers come from a folio's closing, written by ``record_closing``
in the completion's own transaction (``asignaciones.events.on_event``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from asignaciones.models import Material, MaterialUsage, Order
from asignaciones.rules import OrderActionError
from cuadrillas.models import Crew, StockMovement
from heat.tenancy import portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

M = StockMovement.Kind


def record_closing(order: Order, *, by: User | None, at: dt.datetime | None = None) -> list[StockMovement]:
    """The material declared at the closing of ``order`` leaves its crew's stock; receivers
    recovered from the customer enter it. Called inside the completion's transaction."""
    if order.crew_id is None:
        return []
    at = at or timezone.now()
    movements = [
        StockMovement(
            crew_id=order.crew_id,
            material_id=usage.material_id,
            kind=M.RECOVERY if usage.recovered else M.CONSUMPTION,
            quantity=usage.quantity if usage.recovered else -usage.quantity,
            serial_number=usage.serial_number,
            order=order,
            at=at,
            by=by,
        )
        for usage in MaterialUsage.objects.filter(order=order).order_by("pk")
    ]
    return StockMovement.objects.bulk_create(movements)


def _check_may_move_stock(crew: Crew, by: User) -> None:
    role = portal_role(by)
    if role.is_back_office:
        return
    if role.is_distributor_staff and role.distributor.pk == crew.distributor_id:
        return
    raise OrderActionError(_("You are not allowed to move the stock of crew %(crew)s.") % {"crew": crew.code})


@transaction.atomic
def record_handover(
    crew: Crew,
    material: Material,
    *,
    by: User,
    kind: str = M.ENTRY,
    quantity: Decimal | None = None,
    serials: Sequence[str] = (),
    note: str = "",
) -> list[StockMovement]:
    """Material handed to the crew (``entry``) or handed back by it (``return``).

    Rules: by the crew's distributor's owner/dispatchers or the back office; an active crew for
    entries; a material in the catalogue; serialised material is one movement per serial, with no
    serial repeated; other material a quantity greater than zero."""
    if kind not in (M.ENTRY, M.RETURN):
        raise OrderActionError(_("Only entries and returns are recorded by hand."))
    crew = Crew.objects.select_for_update(no_key=True).get(pk=crew.pk)
    _check_may_move_stock(crew, by)
    if kind == M.ENTRY and not crew.active:
        raise OrderActionError(_("Crew %(crew)s is not active.") % {"crew": crew.code})
    if not material.active:
        raise OrderActionError(_("Material %(code)s is no longer in the catalogue.") % {"code": material.code})
    sign = 1 if kind == M.ENTRY else -1
    now = timezone.now()
    if material.serialized:
        cleaned = [s.strip() for s in serials if s.strip()]
        if not cleaned:
            raise OrderActionError(_("Give the serial number of each %(code)s.") % {"code": material.code})
        repeated = {s for s in cleaned if cleaned.count(s) > 1}
        if repeated:
            raise OrderActionError(_("Serial number %(serial)s is repeated.") % {"serial": sorted(repeated)[0]})
        rows = [
            StockMovement(
                crew=crew, material=material, kind=kind, quantity=sign, serial_number=s, at=now, by=by, note=note
            )
            for s in cleaned
        ]
    else:
        if quantity is None or quantity <= 0:
            raise OrderActionError(_("The quantity of %(code)s must be greater than zero.") % {"code": material.code})
        rows = [
            StockMovement(crew=crew, material=material, kind=kind, quantity=sign * quantity, at=now, by=by, note=note)
        ]
    return StockMovement.objects.bulk_create(rows)
