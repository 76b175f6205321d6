"""Crews' stock: handovers by the office, consumption and recoveries from closings, the balance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from asignaciones import actions
from asignaciones.models import Action, Material, Reason
from asignaciones.rules import OrderActionError
from cuadrillas import materials
from cuadrillas.actions import stock
from cuadrillas.models import StockMovement
from tests import factories

pytestmark = pytest.mark.django_db


def mat(code: str) -> Material:
    return Material.objects.get(code=code)


def balances(user) -> dict[tuple[str, str], Decimal]:
    return {(r["crew__code"], r["material__code"]): r["balance"] for r in materials.crew_balances(user)}


def test_a_dispatcher_hands_material_and_serialised_receivers_to_a_crew(crew_a1, dispatcher_a):
    stock.record_handover(crew_a1, mat("RG6"), by=dispatcher_a, quantity=Decimal("100"))
    rows = stock.record_handover(crew_a1, mat("IRD-HD"), by=dispatcher_a, serials=["A1", " A2 ", ""])
    assert [r.serial_number for r in rows] == ["A1", "A2"]
    assert balances(dispatcher_a) == {("A1", "RG6"): Decimal("100"), ("A1", "IRD-HD"): Decimal("2")}


def test_a_closing_consumes_stock_and_recovered_receivers_come_back(distributor_a, crew_a1, dispatcher_a, technician_a):
    stock.record_handover(crew_a1, mat("RG6"), by=dispatcher_a, quantity=Decimal("100"))
    order = actions.assign(factories.make_order(distributor_a), crew_a1, by=dispatcher_a)
    # Closed by the dispatcher through the core action: the stock follows all the same.
    actions.complete(
        order,
        by=dispatcher_a,
        solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="INST_OK")],
        materials=[actions.MaterialLine(mat("RG6"), Decimal("30"))],
    )
    rec = actions.assign(factories.make_order(distributor_a, service_type="REC"), crew_a1, by=dispatcher_a)
    actions.complete(
        rec,
        by=technician_a,
        solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="IRD_RECUP")],
        materials=[actions.MaterialLine(mat("IRD-SD"), Decimal(1), "OLD-9", recovered=True)],
    )
    assert balances(dispatcher_a) == {("A1", "RG6"): Decimal("70"), ("A1", "IRD-SD"): Decimal("1")}
    row = next(r for r in materials.crew_balances(dispatcher_a) if r["material__code"] == "RG6")
    assert (row["entries"], row["consumed"], row["recovered"], row["returned"]) == (100, 30, 0, 0)


def test_returning_recovered_receivers_to_the_warehouse(crew_a1, dispatcher_a):
    stock.record_handover(crew_a1, mat("IRD-SD"), by=dispatcher_a, serials=["X1"])
    stock.record_handover(crew_a1, mat("IRD-SD"), by=dispatcher_a, kind=StockMovement.Kind.RETURN, serials=["X1"])
    assert balances(dispatcher_a) == {("A1", "IRD-SD"): Decimal("0")}


@pytest.mark.parametrize(
    ("code", "kwargs", "message"),
    [
        ("IRD-HD", {}, "número de serie"),
        ("IRD-HD", {"serials": ["S", "S"]}, "se repite"),
        ("RG6", {"quantity": Decimal("0")}, "mayor que cero"),
        ("RG6", {}, "mayor que cero"),
    ],
    ids=["missing-serial", "repeated-serial", "zero-quantity", "no-quantity"],
)
def test_a_wrong_handover_is_refused_and_writes_nothing(crew_a1, dispatcher_a, code, kwargs, message):
    with pytest.raises(OrderActionError, match=message):
        stock.record_handover(crew_a1, mat(code), by=dispatcher_a, **kwargs)
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "technician_a", "master_viewer"])
def test_only_the_crews_distributor_or_the_back_office_move_its_stock(crew_a1, who, request):
    with pytest.raises(OrderActionError, match="No tiene permiso"):
        stock.record_handover(crew_a1, mat("RG6"), by=request.getfixturevalue(who), quantity=Decimal(1))
    assert not StockMovement.objects.exists()


def test_the_back_office_moves_any_crews_stock(crew_b1, back_office):
    stock.record_handover(crew_b1, mat("RG6"), by=back_office, quantity=Decimal(5))
    assert balances(back_office) == {("B1", "RG6"): Decimal(5)}


def test_the_database_refuses_a_movement_whose_sign_contradicts_its_kind(crew_a1):
    from django.db import IntegrityError
    from django.utils import timezone

    with pytest.raises(IntegrityError):
        StockMovement.objects.create(crew=crew_a1, material=mat("RG6"), kind="entry", quantity=-1, at=timezone.now())
