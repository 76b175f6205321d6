"""Assigning many folios to one crew in one step, each folio on its own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from asignaciones.actions.orders import assign
from asignaciones.models import Order
from asignaciones.rules import OrderActionError
from cuadrillas.models import Crew

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


@dataclass(frozen=True)
class BulkOutcome:
    folio: str
    ok: bool
    message: str = ""


def assign_many(folios: Sequence[str], orders: Iterable[Order], crew: Crew, *, by: User) -> list[BulkOutcome]:
    """Assign each of ``folios`` to ``crew`` through ``assign`` (every rule of a single
    assignment applies, including the crew's capacity, which fills up as the loop goes).

    ``orders`` are the folios the user may see; a folio not among them is reported as not
    found, exactly like one that does not exist. Each folio runs in its own transaction
    (a savepoint when called inside one), so one refusal never undoes the others.
    """
    by_folio = {order.folio: order for order in orders}
    outcomes: list[BulkOutcome] = []
    for folio in dict.fromkeys(folios):  # each folio once, in the order given
        order = by_folio.get(folio)
        if order is None:
            outcomes.append(BulkOutcome(folio, False, _("Folio %(folio)s was not found.") % {"folio": folio}))
            continue
        try:
            with transaction.atomic():
                assign(order, crew, by=by)
        except OrderActionError as error:
            outcomes.append(BulkOutcome(folio, False, error.message))
        else:
            outcomes.append(BulkOutcome(folio, True))
    return outcomes
