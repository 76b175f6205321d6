"""Billing reads (prefactura), scoped to the distributors the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from facturacion.billing import VAT_RATE
from facturacion.models import BillingLine
from heat.tenancy import portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
CENT = Decimal("0.01")


def billing_lines_visible_to(user: User) -> QuerySet[BillingLine]:
    """Back office: all; master: its distributors'; owner and dispatcher: their distributor's.
    Technicians are not billed: none."""
    role = portal_role(user)
    if role.is_technician:
        return BillingLine.objects.none()
    return BillingLine.objects.filter(distributor__in=role.distributors())


def period_bounds(first: dt.date, last: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, the day after last 00:00) in ``zone``: whole local days."""
    start = dt.datetime.combine(first, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end


@dataclass(frozen=True)
class Totals:
    lines: int
    commission: Decimal
    mileage: Decimal
    penalty: Decimal
    subtotal: Decimal

    @property
    def vat(self) -> Decimal:
        return (self.subtotal * VAT_RATE).quantize(CENT, ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.vat


def _sums() -> dict:
    return {
        "lines": Count("pk"),
        "commission": Coalesce(Sum("commission"), ZERO),
        "mileage": Coalesce(Sum("mileage_amount"), ZERO),
        "penalty": Coalesce(Sum("penalty"), ZERO),
        "subtotal": Coalesce(Sum("total"), ZERO),
    }


def statement_lines(user: User, start: dt.datetime, end: dt.datetime) -> QuerySet[BillingLine]:
    return (
        billing_lines_visible_to(user)
        .filter(completed_at__gte=start, completed_at__lt=end)
        .select_related("order__service_type", "order__brand", "distributor")
        .order_by("completed_at", "pk")
    )


def statement_totals(lines: QuerySet[BillingLine]) -> Totals:
    return Totals(**lines.order_by().aggregate(**_sums()))


def totals_by_distributor(lines: QuerySet[BillingLine]) -> list[tuple[str, Totals]]:
    """For roles that see several distributors: one row each, in one query."""
    rows = lines.order_by().values("distributor__name").annotate(**_sums()).order_by("distributor__name")
    return [(row.pop("distributor__name"), Totals(**row)) for row in rows]
