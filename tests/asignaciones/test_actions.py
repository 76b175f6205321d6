"""Every order action, legal and illegal: the new state, the event row, and for a refusal that
nothing at all was written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from asignaciones import actions
from asignaciones.models import Action, Material, MaterialUsage, Order, OrderEvent, Policy, Reason, ServiceType
from asignaciones.rules import OrderActionError, policy_for
from facturacion.models import BillingLine
from tests import factories

S = Order.Status


def reason(action: str, code: str) -> Reason:
    return Reason.objects.get(action=action, code=code)


def snapshot(order: Order) -> tuple:
    """Everything an action could write about an order."""
    row = Order.objects.filter(pk=order.pk).values().get()
    return (
        row,
        OrderEvent.objects.filter(order=order).count(),
        MaterialUsage.objects.filter(order=order).count(),
        BillingLine.objects.filter(order=order).count(),
    )


def assert_refused(order: Order, call, match: str) -> None:
    before = snapshot(order)
    with pytest.raises(OrderActionError, match=match):
        call()
    assert snapshot(order) == before


def events(order: Order) -> list[str]:
    return list(OrderEvent.objects.filter(order=order).order_by("at", "id").values_list("kind", flat=True))


# --- route ---------------------------------------------------------------------------------------


def test_a_routed_order_is_new_without_crew_with_the_sla_deadline(distributor_a):
    routed_at = timezone.now()
    order = factories.make_order(distributor_a, service_type="REP", routed_at=routed_at)
    assert order.status == S.NEW and order.crew is None
    assert order.deadline == routed_at + dt.timedelta(hours=48)
    assert events(order) == ["routed"]


def test_a_scheduled_order_is_due_at_the_end_of_its_window_in_the_distributors_zone(distributor_a):
    order = factories.make_order(
        distributor_a, appointment_date=dt.date(2026, 12, 10), appointment_window=Order.Window.MORNING
    )
    # 13:00 in Mexico City (UTC-6, no daylight saving since 2022) is 19:00 UTC.
    assert order.deadline == dt.datetime(2026, 12, 10, 19, 0, tzinfo=dt.UTC)


def test_a_folio_cannot_be_routed_twice(order_a, distributor_a):
    with pytest.raises(OrderActionError, match="ya existe"):
        factories.make_order(distributor_a, folio=order_a.folio)
    assert Order.objects.filter(folio=order_a.folio).count() == 1


# --- assign / reassign / unassign ------------------------------------------------------------------


def test_dispatcher_assigns_a_new_folio_to_a_crew_of_the_distributor(order_a, crew_a1, dispatcher_a):
    order = actions.assign(order_a, crew_a1, by=dispatcher_a)
    order.refresh_from_db()
    assert order.status == S.ASSIGNED and order.crew == crew_a1 and order.assigned_at is not None
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        "assigned",
        dispatcher_a,
        "new",
        "assigned",
    )
    assert event.data["crew"] == "A1"


def test_the_owner_and_the_back_office_may_assign_too(distributor_a, crew_a1, owner_a, back_office):
    first, second = factories.make_order(distributor_a), factories.make_order(distributor_a)
    assert actions.assign(first, crew_a1, by=owner_a).status == S.ASSIGNED
    assert actions.assign(second, crew_a1, by=back_office).status == S.ASSIGNED


def test_a_dispatcher_cannot_assign_another_distributors_folio(order_a, crew_a1, outsider):
    assert_refused(order_a, lambda: actions.assign(order_a, crew_a1, by=outsider), "permiso")


def test_a_master_viewer_and_a_technician_cannot_assign(order_a, crew_a1, master_viewer, technician_a):
    assert_refused(order_a, lambda: actions.assign(order_a, crew_a1, by=master_viewer), "permiso")
    assert_refused(order_a, lambda: actions.assign(order_a, crew_a1, by=technician_a), "permiso")


def test_a_folio_cannot_be_assigned_to_another_distributors_crew(order_a, crew_b1, dispatcher_a):
    assert_refused(order_a, lambda: actions.assign(order_a, crew_b1, by=dispatcher_a), "no pertenece")


def test_an_inactive_crew_cannot_take_folios(order_a, crew_a1, dispatcher_a):
    crew_a1.active = False
    crew_a1.save(update_fields=["active"])
    assert_refused(order_a, lambda: actions.assign(order_a, crew_a1, by=dispatcher_a), "no está activa")


def test_a_crew_that_does_not_serve_the_brand_or_type_is_refused(distributor_a, crew_a1, dispatcher_a):
    blue = factories.make_order(distributor_a, brand="blue")
    crew_a1.brands.remove(*crew_a1.brands.filter(code="blue"))
    assert_refused(blue, lambda: actions.assign(blue, crew_a1, by=dispatcher_a), "no atiende Blue Telecomm")
    recovery = factories.make_order(distributor_a, service_type="REC")
    crew_a1.service_types.remove(ServiceType.objects.get(code="REC"))
    assert_refused(recovery, lambda: actions.assign(recovery, crew_a1, by=dispatcher_a), "no realiza")


def test_a_crew_at_its_daily_capacity_takes_no_more_folios_that_day(distributor_a, crew_a1, dispatcher_a):
    crew_a1.daily_capacity = 2
    crew_a1.save(update_fields=["daily_capacity"])
    day = actions.local_today(distributor_a) + dt.timedelta(days=1)
    orders = [factories.make_order(distributor_a, appointment_date=day, appointment_window="morning") for _ in range(3)]
    actions.assign(orders[0], crew_a1, by=dispatcher_a)
    actions.assign(orders[1], crew_a1, by=dispatcher_a)
    assert_refused(orders[2], lambda: actions.assign(orders[2], crew_a1, by=dispatcher_a), "llena")
    # Another day still has room.
    other_day = factories.make_order(
        distributor_a, appointment_date=day + dt.timedelta(days=1), appointment_window="morning"
    )
    assert actions.assign(other_day, crew_a1, by=dispatcher_a).status == S.ASSIGNED


def test_an_assigned_folio_cannot_be_assigned_again(assigned_order_a, crew_a2, dispatcher_a):
    assert_refused(assigned_order_a, lambda: actions.assign(assigned_order_a, crew_a2, by=dispatcher_a), "Asignada")


def test_reassign_moves_the_folio_to_another_crew_and_records_the_previous_one(
    assigned_order_a, crew_a1, crew_a2, dispatcher_a
):
    order = actions.reassign(assigned_order_a, crew_a2, by=dispatcher_a)
    assert order.crew == crew_a2 and order.status == S.ASSIGNED
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.kind == "reassigned" and event.data["previous_crew"] == crew_a1.code


def test_reassign_to_the_same_crew_is_refused(assigned_order_a, crew_a1, dispatcher_a):
    assert_refused(
        assigned_order_a, lambda: actions.reassign(assigned_order_a, crew_a1, by=dispatcher_a), "ya está asignado"
    )


def test_a_new_folio_cannot_be_reassigned_or_unassigned(order_a, crew_a1, dispatcher_a):
    assert_refused(order_a, lambda: actions.reassign(order_a, crew_a1, by=dispatcher_a), "Por asignar")
    assert_refused(order_a, lambda: actions.unassign(order_a, by=dispatcher_a), "Por asignar")


def test_unassign_returns_the_folio_to_the_unassigned_list(assigned_order_a, dispatcher_a):
    order = actions.unassign(assigned_order_a, by=dispatcher_a, note="Cuadrilla enferma")
    order.refresh_from_db()
    assert order.status == S.NEW and order.crew is None and order.assigned_at is None
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.kind, event.from_status, event.to_status, event.note) == (
        "unassigned",
        "assigned",
        "new",
        "Cuadrilla enferma",
    )


# --- reschedule -------------------------------------------------------------------------------------


def reschedule_policy() -> Policy:
    return policy_for(Action.RESCHEDULE, None)


def test_reschedule_sets_the_appointment_and_the_deadline_and_counts(order_a, dispatcher_a):
    day = actions.local_today(order_a.distributor) + dt.timedelta(days=2)
    order = actions.reschedule(
        order_a,
        date=day,
        window="afternoon",
        reason=reason(Action.RESCHEDULE, "AUSENTE"),
        by=dispatcher_a,
        acknowledged_policy=reschedule_policy(),
    )
    assert (order.appointment_date, order.appointment_window, order.reschedule_count) == (day, "afternoon", 1)
    assert order.deadline == dt.datetime.combine(day, dt.time(19), tzinfo=order_a.distributor.zone)
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.kind == "rescheduled" and event.reason.code == "AUSENTE"
    assert event.data["policy"]["version"] == reschedule_policy().version


def test_reschedule_without_acknowledging_the_policy_is_refused(order_a, dispatcher_a):
    day = actions.local_today(order_a.distributor) + dt.timedelta(days=1)
    assert_refused(
        order_a,
        lambda: actions.reschedule(
            order_a, date=day, window="morning", reason=reason(Action.RESCHEDULE, "CLIMA"), by=dispatcher_a
        ),
        "política",
    )


def test_acknowledging_an_outdated_policy_version_is_refused(order_a, dispatcher_a):
    old = reschedule_policy()
    Policy.objects.create(
        action=Action.RESCHEDULE,
        version=old.version + 1,
        title=old.title,
        rules=old.rules,
        effective_from=timezone.now() - dt.timedelta(minutes=1),
    )
    day = actions.local_today(order_a.distributor) + dt.timedelta(days=1)
    assert_refused(
        order_a,
        lambda: actions.reschedule(
            order_a,
            date=day,
            window="morning",
            reason=reason(Action.RESCHEDULE, "CLIMA"),
            by=dispatcher_a,
            acknowledged_policy=old,
        ),
        "cambió",
    )


def test_the_policy_limits_how_many_times_a_folio_is_rescheduled(order_a, dispatcher_a):
    policy = reschedule_policy()
    day = actions.local_today(order_a.distributor) + dt.timedelta(days=1)
    kwargs = dict(date=day, window="afternoon", reason=reason(Action.RESCHEDULE, "CLIMA"), by=dispatcher_a)
    for _ in range(policy.rules["max_reschedules"]):
        actions.reschedule(order_a, acknowledged_policy=policy, **kwargs)
    assert_refused(order_a, lambda: actions.reschedule(order_a, acknowledged_policy=policy, **kwargs), "3 veces")


def test_reschedule_beyond_the_policy_horizon_or_in_the_past_is_refused(order_a, dispatcher_a):
    policy = reschedule_policy()
    today = actions.local_today(order_a.distributor)
    common = dict(window="morning", reason=reason(Action.RESCHEDULE, "CLIMA"), by=dispatcher_a)
    too_far = today + dt.timedelta(days=policy.rules["max_days_ahead"] + 1)
    assert_refused(
        order_a,
        lambda: actions.reschedule(order_a, date=too_far, acknowledged_policy=policy, **common),
        "7 días",
    )
    assert_refused(
        order_a,
        lambda: actions.reschedule(order_a, date=today - dt.timedelta(days=1), acknowledged_policy=policy, **common),
        "pasado",
    )


def test_a_reason_of_another_action_is_refused(order_a, dispatcher_a):
    day = actions.local_today(order_a.distributor) + dt.timedelta(days=1)
    assert_refused(
        order_a,
        lambda: actions.reschedule(
            order_a,
            date=day,
            window="morning",
            reason=reason(Action.REJECT, "RIESGO"),
            by=dispatcher_a,
            acknowledged_policy=reschedule_policy(),
        ),
        "motivo",
    )


# --- reject ----------------------------------------------------------------------------------------


def test_dispatcher_rejects_a_folio_within_the_policy_window(order_a, dispatcher_a):
    policy = policy_for(Action.REJECT, None)
    order = actions.reject(order_a, reason=reason(Action.REJECT, "RIESGO"), by=dispatcher_a, acknowledged_policy=policy)
    assert order.status == S.REJECTED and order.closed_at is not None
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.kind, event.reason.code, event.data["policy"]["id"]) == ("rejected", "RIESGO", policy.pk)


def test_dispatcher_cannot_reject_after_the_policy_window(order_a, dispatcher_a):
    policy = policy_for(Action.REJECT, None)
    later = order_a.routed_at + dt.timedelta(hours=policy.rules["window_hours"], minutes=1)
    with time_machine.travel(later, tick=False):
        assert_refused(
            order_a,
            lambda: actions.reject(
                order_a, reason=reason(Action.REJECT, "RIESGO"), by=dispatcher_a, acknowledged_policy=policy
            ),
            "24 horas",
        )


def test_an_order_in_progress_cannot_be_rejected(assigned_order_a, technician_a, dispatcher_a):
    actions.start(assigned_order_a, by=technician_a)
    assert_refused(
        assigned_order_a,
        lambda: actions.reject(
            assigned_order_a,
            reason=reason(Action.REJECT, "RIESGO"),
            by=dispatcher_a,
            acknowledged_policy=policy_for(Action.REJECT, None),
        ),
        "En proceso",
    )


# --- cancel ----------------------------------------------------------------------------------------


def test_back_office_cancels_a_folio_resolved_by_phone(order_a, back_office):
    order = actions.cancel(
        order_a,
        reason=reason(Action.CANCEL, "RESUELTO"),
        by=back_office,
        acknowledged_policy=policy_for(Action.CANCEL, None),
    )
    assert order.status == S.CANCELLED
    assert events(order) == ["routed", "cancelled"]


def test_a_duplicate_needs_an_existing_other_folio_of_the_distributor(distributor_a, distributor_b, dispatcher_a):
    order, original = factories.make_order(distributor_a), factories.make_order(distributor_a)
    foreign = factories.make_order(distributor_b)
    policy = policy_for(Action.CANCEL, None)
    duplicate = reason(Action.CANCEL, "DUPLICADA")

    def cancel(other: str):
        return lambda: actions.cancel(
            order, reason=duplicate, by=dispatcher_a, other_folio=other, acknowledged_policy=policy
        )

    assert_refused(order, cancel(""), "duplica")
    assert_refused(order, cancel(order.folio), "sí mismo")
    assert_refused(order, cancel(foreign.folio), "no se encontró")
    cancel(original.folio)()
    assert OrderEvent.objects.filter(order=order).latest("id").data["duplicate_of"] == original.folio


def test_a_closed_folio_cannot_be_cancelled(order_a, back_office):
    policy = policy_for(Action.CANCEL, None)
    actions.cancel(order_a, reason=reason(Action.CANCEL, "CLIENTE"), by=back_office, acknowledged_policy=policy)
    assert_refused(
        order_a,
        lambda: actions.cancel(
            order_a, reason=reason(Action.CANCEL, "CLIENTE"), by=back_office, acknowledged_policy=policy
        ),
        "Cancelada",
    )


# --- change type --------------------------------------------------------------------------------


def test_change_type_restarts_the_sla_from_the_new_type(order_a, dispatcher_a):
    now = timezone.now().replace(microsecond=0)
    with time_machine.travel(now, tick=False):
        order = actions.change_type(
            order_a,
            service_type=ServiceType.objects.get(code="REP"),
            reason=reason(Action.CHANGE_TYPE, "MAL_TIPO"),
            by=dispatcher_a,
            acknowledged_policy=policy_for(Action.CHANGE_TYPE, None),
        )
    assert order.service_type.code == "REP"
    assert order.deadline == now + dt.timedelta(hours=48)
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.data["previous_type"], event.data["new_type"]) == ("INS", "REP")


def test_change_to_the_same_type_or_a_type_the_crew_does_not_do_is_refused(assigned_order_a, dispatcher_a, crew_a1):
    policy = policy_for(Action.CHANGE_TYPE, None)
    why = reason(Action.CHANGE_TYPE, "MAL_TIPO")
    assert_refused(
        assigned_order_a,
        lambda: actions.change_type(
            assigned_order_a,
            service_type=ServiceType.objects.get(code="INS"),
            reason=why,
            by=dispatcher_a,
            acknowledged_policy=policy,
        ),
        "ya es de ese tipo",
    )
    crew_a1.service_types.remove(ServiceType.objects.get(code="GAR"))
    assert_refused(
        assigned_order_a,
        lambda: actions.change_type(
            assigned_order_a,
            service_type=ServiceType.objects.get(code="GAR"),
            reason=why,
            by=dispatcher_a,
            acknowledged_policy=policy,
        ),
        "reasigne",
    )


# --- start / complete ------------------------------------------------------------------------


def closing_codes(*codes: str) -> list[Reason]:
    return [reason(Action.COMPLETE, code) for code in codes]


def test_the_crews_technician_starts_and_completes_a_visit_with_materials(assigned_order_a, technician_a):
    order = actions.start(assigned_order_a, by=technician_a, latitude=Decimal("19.39"), longitude=Decimal("-99.17"))
    assert order.status == S.IN_PROGRESS and order.started_at is not None
    ird = Material.objects.get(code="IRD-HD")
    cable = Material.objects.get(code="RG6")
    order = actions.complete(
        order,
        by=technician_a,
        solution_codes=closing_codes("INST_OK"),
        comments="Instalación sin novedad",
        materials=[
            actions.MaterialLine(ird, Decimal("1"), serial_number="IRD123456"),
            actions.MaterialLine(cable, Decimal("25")),
        ],
        latitude=Decimal("19.390100"),
        longitude=Decimal("-99.170100"),
    )
    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.solution_code_1.code == "INST_OK"
    assert order.closing_latitude == Decimal("19.390100")
    assert sorted(MaterialUsage.objects.filter(order=order).values_list("material__code", "serial_number")) == [
        ("IRD-HD", "IRD123456"),
        ("RG6", ""),
    ]
    line = BillingLine.objects.get(order=order)
    assert line.commission == Decimal("450.00") and line.penalty == 0
    assert events(order) == ["routed", "assigned", "started", "completed"]


def test_a_technician_of_another_crew_cannot_start_or_complete(assigned_order_a, crew_a2):
    other = factories.make_technician("tecnico_otro", crew_a2).user
    assert_refused(assigned_order_a, lambda: actions.start(assigned_order_a, by=other), "permiso")
    assert_refused(
        assigned_order_a,
        lambda: actions.complete(assigned_order_a, by=other, solution_codes=closing_codes("INST_OK")),
        "permiso",
    )


def test_a_new_folio_cannot_be_started_or_completed(order_a, dispatcher_a):
    assert_refused(order_a, lambda: actions.start(order_a, by=dispatcher_a), "Por asignar")
    assert_refused(
        order_a,
        lambda: actions.complete(order_a, by=dispatcher_a, solution_codes=closing_codes("INST_OK")),
        "Por asignar",
    )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("RG6", "61", "")], "Como máximo 60"),
        ([("IRD-HD", "1", "")], "número de serie"),
        ([("IRD-HD", "1", "S1"), ("TARJETA", "1", "S1")], "se repite"),
        ([("IRD-HD", "2", "S1")], "una pieza por número de serie"),
        ([("RG6", "0", "")], "mayor que cero"),
    ],
)
def test_material_declared_at_closing_is_validated(assigned_order_a, technician_a, lines, message):
    materials = [
        actions.MaterialLine(Material.objects.get(code=code), Decimal(qty), serial_number=serial)
        for code, qty, serial in lines
    ]
    assert_refused(
        assigned_order_a,
        lambda: actions.complete(
            assigned_order_a, by=technician_a, solution_codes=closing_codes("INST_OK"), materials=materials
        ),
        message,
    )


def test_completion_needs_one_to_three_closing_codes(assigned_order_a, technician_a):
    assert_refused(
        assigned_order_a,
        lambda: actions.complete(assigned_order_a, by=technician_a, solution_codes=[]),
        "entre uno y tres",
    )


def test_a_recovery_order_pays_per_recovered_receiver(distributor_a, crew_a1, dispatcher_a, technician_a):
    order = factories.make_order(distributor_a, service_type="REC")
    actions.assign(order, crew_a1, by=dispatcher_a)
    ird = Material.objects.get(code="IRD-SD")
    actions.complete(
        order,
        by=technician_a,
        solution_codes=closing_codes("IRD_RECUP"),
        materials=[
            actions.MaterialLine(ird, Decimal("1"), serial_number="R1", recovered=True),
            actions.MaterialLine(ird, Decimal("1"), serial_number="R2", recovered=True),
        ],
    )
    assert BillingLine.objects.get(order=order).commission == Decimal("350.00")  # 150 + 2 × 100


def test_receivers_are_only_recovered_on_recovery_orders(assigned_order_a, technician_a):
    ird = Material.objects.get(code="IRD-SD")
    assert_refused(
        assigned_order_a,
        lambda: actions.complete(
            assigned_order_a,
            by=technician_a,
            solution_codes=closing_codes("INST_OK"),
            materials=[actions.MaterialLine(ird, Decimal("1"), serial_number="R1", recovered=True)],
        ),
        "recuperación",
    )


def test_a_late_completion_is_penalised_per_day_up_to_half(assigned_order_a, technician_a):
    three_days_late = assigned_order_a.deadline + dt.timedelta(days=2, hours=1)
    with time_machine.travel(three_days_late, tick=False):
        actions.complete(assigned_order_a, by=technician_a, solution_codes=closing_codes("INST_OK"))
    line = BillingLine.objects.get(order=assigned_order_a)
    assert line.days_late == 3
    assert line.penalty == Decimal("135.00")  # 30 % of 450
    assert line.total == line.commission + line.mileage_amount - line.penalty


def test_a_type_policy_overrides_the_general_one_recovery_orders_install_no_antennas(
    distributor_a, crew_a1, dispatcher_a, technician_a
):
    order = factories.make_order(distributor_a, service_type="REC")
    actions.assign(order, crew_a1, by=dispatcher_a)
    assert policy_for(Action.COMPLETE, order.service_type).service_type.code == "REC"
    antenna = Material.objects.get(code="ANT-60")
    assert_refused(
        order,
        lambda: actions.complete(
            order,
            by=technician_a,
            solution_codes=closing_codes("IRD_RECUP"),
            materials=[actions.MaterialLine(antenna, Decimal("1"))],
        ),
        "Como máximo 0 de ANT-60",
    )
