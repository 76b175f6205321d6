"""What a completed order earns: commission + mileage − late penalty (amounts before VAT).

Mileage (DESIGN.md, DOMAIN.md): for a folio outside the distributor's coverage, its rate per km
beyond its free km from its base, counted round trip, paid up to its cap. Penalty: 10 % of the
commission per started day past the deadline, up to 50 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q

from asignaciones.models import MaterialUsage, Order
from cuadrillas.coverage import in_coverage, km_from_base
from facturacion.models import BillingLine, CommissionRate

VAT_RATE = Decimal("0.16")  # IVA: amounts here are before it; statements add it
PENALTY_PER_DAY = Decimal("0.10")
PENALTY_CAP = Decimal("0.50")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Earnings:
    commission: Decimal
    mileage_km: Decimal
    mileage_amount: Decimal
    days_late: int
    penalty: Decimal

    @property
    def total(self) -> Decimal:
        return self.commission + self.mileage_amount - self.penalty


def commission_rate(order: Order) -> CommissionRate | None:
    day = order.closed_at.date()
    return (
        CommissionRate.objects.filter(service_type_id=order.service_type_id, valid_from__lte=day)
        .filter(Q(brand_id=order.brand_id) | Q(brand__isnull=True))
        .order_by(F("brand").asc(nulls_last=True), "-valid_from")
        .first()
    )


def paid_km(order: Order) -> Decimal:
    """Extra km paid for a folio outside the distributor's coverage; none inside it."""
    distributor = order.distributor
    if in_coverage(distributor, postal_code=order.postal_code, latitude=order.latitude, longitude=order.longitude):
        return Decimal("0.0")
    one_way = Decimal(str(km_from_base(distributor, order.latitude, order.longitude)))
    extra = max(Decimal("0"), one_way - distributor.mileage_free_km) * 2
    return min(extra, distributor.mileage_cap_km).quantize(Decimal("0.1"), ROUND_HALF_UP)


def days_late(order: Order) -> int:
    late_by = (order.closed_at - order.deadline).total_seconds()
    return math.ceil(late_by / 86400) if late_by > 0 else 0


def earnings(order: Order) -> Earnings:
    rate = commission_rate(order)
    commission = Decimal("0")
    if rate is not None:
        recovered = sum(
            (u.quantity for u in MaterialUsage.objects.filter(order=order, recovered=True, material__is_receiver=True)),
            Decimal("0"),
        )
        commission = rate.amount + rate.per_recovered_receiver * recovered
    km = paid_km(order)
    mileage = (km * order.distributor.mileage_rate).quantize(CENT, ROUND_HALF_UP)
    late = days_late(order)
    penalty = (commission * min(PENALTY_CAP, PENALTY_PER_DAY * late)).quantize(CENT, ROUND_HALF_UP)
    return Earnings(commission.quantize(CENT), km, mileage, late, penalty)


def bill_completed_order(order: Order) -> BillingLine:
    """Write the order's billing line. Called inside ``complete``'s transaction."""
    e = earnings(order)
    return BillingLine.objects.create(
        order=order,
        distributor_id=order.distributor_id,
        completed_at=order.closed_at,
        commission=e.commission,
        mileage_km=e.mileage_km,
        mileage_amount=e.mileage_amount,
        days_late=e.days_late,
        penalty=e.penalty,
        total=e.total,
    )
