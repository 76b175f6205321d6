"""Read queries for the crews' material: balances and reports per crew and period, in SQL
(one aggregate query each), scoped by ``crews_visible_to``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from asignaciones.models import Material
from cuadrillas.models import Crew, StockMovement
from cuadrillas.selectors import crews_visible_to
from heat.tenancy import portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

M = StockMovement.Kind
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))


def _sum(condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum("quantity", filter=condition), ZERO)


def movements_visible_to(user: User) -> QuerySet[StockMovement]:
    return StockMovement.objects.filter(crew__in=crews_visible_to(user).values("pk"))


def report_zone(user: User) -> ZoneInfo:
    """Periods are local days: the distributor's zone, or the company's for the back office."""
    role = portal_role(user)
    return role.distributor.zone if role.distributor else ZoneInfo(settings.TIME_ZONE)


def crew_balances(user: User, *, crew: Crew | None = None) -> QuerySet:
    """Per crew and material: handed over, used, recovered, returned and the balance on hand."""
    qs = movements_visible_to(user)
    if crew is not None:
        qs = qs.filter(crew=crew)
    return (
        qs.values(
            "crew_id",
            "crew__code",
            "crew__name",
            "crew__distributor__name",
            "material__code",
            "material__description",
            "material__unit",
        )
        .annotate(
            entries=_sum(Q(kind=M.ENTRY)),
            consumed=-_sum(Q(kind=M.CONSUMPTION)),
            recovered=_sum(Q(kind=M.RECOVERY)),
            returned=-_sum(Q(kind=M.RETURN)),
            balance=_sum(),
        )
        .order_by("crew__distributor__name", "crew__code", "material__code")
    )


def stock_report(user: User, *, start: dt.date, end: dt.date, crew: Crew | None = None) -> QuerySet:
    """Per crew and material for the local days ``start`` to ``end`` (inclusive): the movements
    of the period and the balance at its end. One query."""
    zone = report_zone(user)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    in_period = Q(at__gte=since, at__lt=until)
    qs = movements_visible_to(user).filter(at__lt=until)
    if crew is not None:
        qs = qs.filter(crew=crew)
    return (
        qs.values(
            "crew__code",
            "crew__name",
            "crew__distributor__name",
            "material__code",
            "material__description",
            "material__unit",
        )
        .annotate(
            opening=_sum(Q(at__lt=since)),
            entries=_sum(in_period & Q(kind=M.ENTRY)),
            consumed=-_sum(in_period & Q(kind=M.CONSUMPTION)),
            recovered=_sum(in_period & Q(kind=M.RECOVERY)),
            returned=-_sum(in_period & Q(kind=M.RETURN)),
            closing=_sum(),
        )
        .order_by("crew__distributor__name", "crew__code", "material__code")
    )


REPORT_COLUMNS = [
    ("crew__distributor__name", "Distribuidor"),
    ("crew__code", "Cuadrilla"),
    ("crew__name", "Nombre de la cuadrilla"),
    ("material__code", "Material"),
    ("material__description", "Descripción"),
    ("material__unit", "Unidad"),
    ("opening", "Saldo inicial"),
    ("entries", "Entregado"),
    ("consumed", "Usado"),
    ("recovered", "Recuperado"),
    ("returned", "Devuelto"),
    ("closing", "Saldo final"),
]


def report_csv(rows: Any) -> str:
    """The report as CSV (Spanish headers; decimal point, as spreadsheets in Mexico expect)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in REPORT_COLUMNS])
    for row in rows:
        writer.writerow([_cell(row[key]) for key, _ in REPORT_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    text = str(value)
    # A cell starting with = + - @ would be a formula in a spreadsheet: neutralise it.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def catalogue() -> QuerySet[Material]:
    return Material.objects.filter(active=True).prefetch_related("brands").order_by("code")


def crews_for_handover(user: User) -> QuerySet[Crew]:
    """The crews whose stock the user may move: their distributor's (all for the back office)."""
    role = portal_role(user)
    if not (role.is_back_office or role.is_distributor_staff):
        return Crew.objects.none()
    return crews_visible_to(user).select_related("distributor").order_by("distributor__name", "code")
