"""What a completed order earns: commission, mileage beyond the free km (round trip, capped) and
the late penalty."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from asignaciones import actions
from asignaciones.models import Action, Reason
from cuadrillas.geo import great_circle_km
from facturacion.billing import paid_km
from facturacion.models import BillingLine, CommissionRate
from tests import factories


def complete(order, crew, dispatcher, technician):
    actions.assign(order, crew, by=dispatcher)
    return actions.complete(
        order, by=technician, solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="INST_OK")]
    )


def test_an_order_within_the_free_km_earns_no_mileage(assigned_order_a, technician_a):
    actions.complete(
        assigned_order_a, by=technician_a, solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="INST_OK")]
    )
    line = BillingLine.objects.get(order=assigned_order_a)
    assert (line.mileage_km, line.mileage_amount, line.total) == (Decimal("0"), Decimal("0"), Decimal("450.00"))


def test_km_beyond_the_free_distance_are_paid_round_trip(distributor_a, crew_a1, dispatcher_a, technician_a):
    # About 50 km north of the distributor's base, outside its 40 km and its postal codes:
    # (50 − 30) × 2 = 40 km at 6 MXN.
    order = factories.make_order(
        distributor_a, postal_code="55000", latitude=Decimal("19.882300"), longitude=Decimal("-99.133200")
    )
    one_way = great_circle_km(
        distributor_a.base_latitude, distributor_a.base_longitude, order.latitude, order.longitude
    )
    complete(order, crew_a1, dispatcher_a, technician_a)
    line = BillingLine.objects.get(order=order)
    expected_km = Decimal(str(round((one_way - 30) * 2, 1)))
    assert line.mileage_km == expected_km
    assert line.mileage_amount == (expected_km * Decimal("6")).quantize(Decimal("0.01"))
    assert line.total == Decimal("450.00") + line.mileage_amount


def test_a_folio_inside_the_coverage_earns_no_mileage_however_far(distributor_a):
    # Listed postal code, ~48 km from the base (beyond the 30 free km): covered, so not paid.
    listed = factories.make_order(
        distributor_a, postal_code="03100", latitude=Decimal("19.865000"), longitude=Decimal("-99.133200")
    )
    # Within the 40 km radius but beyond the free 30 km.
    in_radius = factories.make_order(
        distributor_a, postal_code="55000", latitude=Decimal("19.770000"), longitude=Decimal("-99.133200")
    )
    assert paid_km(listed) == paid_km(in_radius) == Decimal("0.0")


def test_paid_km_are_capped(distributor_a):
    # Toluca, ~57 km from Mexico City: (57 − 30) × 2 ≈ 54 km; Querétaro, ~180 km: capped at 150.
    toluca = factories.make_order(
        distributor_a, postal_code="50000", latitude=Decimal("19.282600"), longitude=Decimal("-99.655700")
    )
    queretaro = factories.make_order(
        distributor_a, postal_code="76000", latitude=Decimal("20.588800"), longitude=Decimal("-100.389900")
    )
    assert Decimal("50") < paid_km(toluca) < Decimal("60")
    assert paid_km(queretaro) == Decimal("150.0")


def test_the_newest_rate_for_the_brand_wins_over_the_general_one(distributor_a, crew_a1, dispatcher_a, technician_a):
    from asignaciones.models import Brand, ServiceType

    ins = ServiceType.objects.get(code="INS")
    CommissionRate.objects.create(
        service_type=ins, brand=Brand.objects.get(code="sky"), amount=Decimal("500"), valid_from=dt.date(2026, 6, 1)
    )
    CommissionRate.objects.create(service_type=ins, amount=Decimal("470"), valid_from=dt.date(2026, 7, 1))
    sky = factories.make_order(distributor_a, brand="sky")
    vetv = factories.make_order(distributor_a, brand="vetv")
    complete(sky, crew_a1, dispatcher_a, technician_a)
    complete(vetv, crew_a1, dispatcher_a, technician_a)
    assert BillingLine.objects.get(order=sky).commission == Decimal("500.00")
    assert BillingLine.objects.get(order=vetv).commission == Decimal("470.00")


@pytest.mark.parametrize(
    ("late_by", "days", "penalty"),
    [(dt.timedelta(0), 0, "0.00"), (dt.timedelta(hours=1), 1, "45.00"), (dt.timedelta(days=9), 9, "225.00")],
)
def test_the_penalty_is_ten_percent_per_started_day_late_up_to_half(
    assigned_order_a, technician_a, late_by, days, penalty
):
    with time_machine.travel(assigned_order_a.deadline + late_by, tick=False):
        actions.complete(
            assigned_order_a,
            by=technician_a,
            solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="INST_OK")],
        )
    line = BillingLine.objects.get(order=assigned_order_a)
    assert (line.days_late, line.penalty) == (days, Decimal(penalty))
