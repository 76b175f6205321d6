"""Every state change of an order. Views, the admin, the API, commands and tasks call these.

Each action: locks the order row (``select_for_update``) so concurrent actions on one folio are
serial; checks the transition, the actor's right and the policy's rule values; writes the change
and exactly one ``OrderEvent``; all in one transaction. A refusal raises ``OrderActionError`` with a
message for the user and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from asignaciones import sla
from asignaciones.events import on_event
from asignaciones.models import (
    Action,
    Brand,
    Material,
    MaterialUsage,
    Order,
    OrderEvent,
    Policy,
    Reason,
    ServiceType,
)
from asignaciones.rules import (
    OrderActionError,
    check_acknowledgement,
    check_actor,
    check_transition,
    policy_for,
    rule,
)
from cuadrillas.models import Crew
from heat.models import Distributor

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

S = Order.Status
K = OrderEvent.Kind


# --- helpers ---------------------------------------------------------------------------------


def _lock(order: Order) -> Order:
    return (
        Order.objects.select_for_update(no_key=True, of=("self",))
        .select_related("distributor", "service_type", "brand")
        .get(pk=order.pk)
    )


def _record(
    order: Order,
    *,
    by: User | None,
    kind: str,
    from_status: str,
    reason: Reason | None = None,
    note: str = "",
    policy: Policy | None = None,
    **data: Any,
) -> OrderEvent:
    if policy is not None:
        data["policy"] = {"id": policy.pk, "version": policy.version, "title": policy.title}
    event = OrderEvent.objects.create(
        order=order,
        actor=by,
        at=timezone.now(),
        kind=kind,
        from_status=from_status,
        to_status=order.status,
        reason=reason,
        note=note,
        data=data,
    )
    on_event(event)
    return event


def _check_reason(reason: Reason | None, action: str) -> Reason:
    if reason is None:
        raise OrderActionError(_("Choose a reason."))
    if reason.action != action or not reason.active:
        raise OrderActionError(_("That reason does not apply to this action."))
    return reason


def check_duplicate_of(order: Order, other_folio: str) -> str:
    """The folio ``order`` duplicates, cleaned: given, not itself, and of the same distributor
    (another distributor's folio is "not found", so its existence is never told)."""
    other_folio = other_folio.strip()
    if not other_folio:
        raise OrderActionError(_("Give the folio this one duplicates."))
    if other_folio == order.folio:
        raise OrderActionError(_("A folio cannot duplicate itself."))
    if not Order.objects.filter(folio=other_folio, distributor_id=order.distributor_id).exists():
        raise OrderActionError(_("Folio %(folio)s was not found.") % {"folio": other_folio})
    return other_folio


def local_today(distributor: Distributor) -> dt.date:
    return timezone.now().astimezone(distributor.zone).date()


def service_day(order: Order) -> dt.date:
    """The day a visit counts against a crew's capacity: its appointment, else today."""
    return order.appointment_date or local_today(order.distributor)


def crew_load(crew: Crew, day: dt.date, *, excluding: Order | None = None) -> int:
    """Open visits of ``crew`` on ``day`` (appointment that day, or unscheduled and assigned)."""
    qs = Order.objects.filter(crew=crew, status__in=(S.ASSIGNED, S.IN_PROGRESS)).filter(
        Q(appointment_date=day) | Q(appointment_date__isnull=True)
    )
    if excluding is not None:
        qs = qs.exclude(pk=excluding.pk)
    return qs.count()


def _check_crew_fits(order: Order, crew: Crew) -> Crew:
    """The crew must be active, the order's distributor's, serve its brand and type, and have
    room on the service day. The crew row is locked (after the order: the fixed lock order) so
    two assignments cannot both take the last place."""
    if crew.distributor_id != order.distributor_id:
        raise OrderActionError(_("That crew does not belong to the folio's distributor."))
    crew = Crew.objects.select_for_update(no_key=True).get(pk=crew.pk)
    if not crew.active:
        raise OrderActionError(_("Crew %(crew)s is not active.") % {"crew": crew.code})
    if not crew.brands.filter(pk=order.brand_id).exists():
        raise OrderActionError(
            _("Crew %(crew)s does not serve %(brand)s.") % {"crew": crew.code, "brand": order.brand.name}
        )
    if not crew.service_types.filter(pk=order.service_type_id).exists():
        raise OrderActionError(
            _("Crew %(crew)s does not do %(type)s orders.") % {"crew": crew.code, "type": order.service_type.name}
        )
    day = service_day(order)
    if crew_load(crew, day, excluding=order) >= crew.daily_capacity:
        raise OrderActionError(
            _("Crew %(crew)s is full on %(day)s (%(capacity)s visits).")
            % {"crew": crew.code, "day": day.strftime("%d/%m/%Y"), "capacity": crew.daily_capacity}
        )
    return crew


# --- routing ---------------------------------------------------------------------------------


@transaction.atomic
def route_order(
    *,
    folio: str,
    distributor: Distributor,
    brand: Brand,
    service_type: ServiceType,
    by: User | None = None,
    routed_at: dt.datetime | None = None,
    **fields: Any,
) -> Order:
    """A new folio from the company, routed to a distributor (status ``new``, no crew).

    Rules: the folio is new; the distributor is active; the type is active.
    """
    if not distributor.active:
        raise OrderActionError(_("Distributor %(name)s is not active.") % {"name": distributor.name})
    if not service_type.active:
        raise OrderActionError(_("Order type %(type)s is not active.") % {"type": service_type.code})
    if Order.objects.filter(folio=folio).exists():
        raise OrderActionError(_("Folio %(folio)s already exists.") % {"folio": folio})
    routed_at = routed_at or timezone.now()
    order = Order(
        folio=folio,
        distributor=distributor,
        brand=brand,
        service_type=service_type,
        status=S.NEW,
        routed_at=routed_at,
        **fields,
    )
    order.deadline = sla.compute_deadline(
        routed_at=routed_at,
        service_type=service_type,
        zone=distributor.zone,
        appointment_date=order.appointment_date,
        appointment_window=order.appointment_window,
    )
    order.full_clean(exclude=["crew"])
    order.save()
    _record(order, by=by, kind=K.ROUTED, from_status="")
    return order


# --- dispatcher actions -----------------------------------------------------------------------


@transaction.atomic
def assign(order: Order, crew: Crew, *, by: User, note: str = "") -> Order:
    """new -> assigned. The crew must be active, of the order's distributor, serve its brand
    and type, and have room on the service day."""
    order = _lock(order)
    check_transition(order, "assign")
    check_actor(order, "assign", by)
    crew = _check_crew_fits(order, crew)
    order.crew = crew
    order.status = S.ASSIGNED
    order.assigned_at = timezone.now()
    order.save(update_fields=["crew", "status", "assigned_at"])
    _record(order, by=by, kind=K.ASSIGNED, from_status=S.NEW, note=note, crew=crew.code)
    return order


@transaction.atomic
def reassign(order: Order, crew: Crew, *, by: User, note: str = "") -> Order:
    """assigned -> assigned, to another crew, under the same rules as ``assign``."""
    order = _lock(order)
    check_transition(order, "reassign")
    check_actor(order, "reassign", by)
    if order.crew_id == crew.pk:
        raise OrderActionError(
            _("Folio %(folio)s is already assigned to %(crew)s.") % {"folio": order.folio, "crew": crew.code}
        )
    previous = order.crew
    crew = _check_crew_fits(order, crew)
    order.crew = crew
    order.assigned_at = timezone.now()
    order.save(update_fields=["crew", "assigned_at"])
    _record(
        order,
        by=by,
        kind=K.REASSIGNED,
        from_status=S.ASSIGNED,
        note=note,
        crew=crew.code,
        previous_crew=previous.code,
        previous_crew_id=previous.pk,
    )
    return order


@transaction.atomic
def unassign(order: Order, *, by: User, note: str = "") -> Order:
    """assigned -> new: the folio goes back to the distributor's unassigned list."""
    order = _lock(order)
    check_transition(order, "unassign")
    check_actor(order, "unassign", by)
    previous = order.crew
    order.crew = None
    order.status = S.NEW
    order.assigned_at = None
    order.save(update_fields=["crew", "status", "assigned_at"])
    _record(
        order,
        by=by,
        kind=K.UNASSIGNED,
        from_status=S.ASSIGNED,
        note=note,
        previous_crew=previous.code,
        previous_crew_id=previous.pk,
    )
    return order


@transaction.atomic
def reschedule(
    order: Order,
    *,
    date: dt.date,
    window: str,
    reason: Reason,
    by: User,
    acknowledged_policy: Policy | None = None,
    note: str = "",
) -> Order:
    """New appointment date and window, with a reason. Rules: reason code of ``reschedule``;
    at most ``max_reschedules``; the date from today to ``max_days_ahead`` days ahead in the
    distributor's zone; a window; the policy acknowledged. The deadline becomes the window's end."""
    order = _lock(order)
    check_transition(order, "reschedule")
    check_actor(order, "reschedule", by)
    reason = _check_reason(reason, Action.RESCHEDULE)
    policy = policy_for(Action.RESCHEDULE, order.service_type)
    check_acknowledgement(policy, acknowledged_policy)
    if window not in sla.WINDOWS:
        raise OrderActionError(_("Choose a time window."))
    max_reschedules = rule(policy, "max_reschedules")
    if max_reschedules is not None and order.reschedule_count >= max_reschedules:
        raise OrderActionError(
            _("Folio %(folio)s was already rescheduled %(count)s times, the most the policy allows.")
            % {"folio": order.folio, "count": order.reschedule_count}
        )
    today = local_today(order.distributor)
    if date < today:
        raise OrderActionError(_("The new date cannot be in the past."))
    max_days = rule(policy, "max_days_ahead")
    if max_days is not None and date > today + dt.timedelta(days=max_days):
        raise OrderActionError(_("The new date must be within %(days)s days from today.") % {"days": max_days})
    if date == today and sla.window_bounds(date, window, order.distributor.zone)[1] <= timezone.now():
        raise OrderActionError(_("That time window has already passed today."))
    previous = {
        "date": order.appointment_date.isoformat() if order.appointment_date else None,
        "window": order.appointment_window,
        "deadline": order.deadline.isoformat(),
    }
    order.appointment_date = date
    order.appointment_window = window
    order.deadline = sla.window_bounds(date, window, order.distributor.zone)[1]
    order.reschedule_count += 1
    order.save(update_fields=["appointment_date", "appointment_window", "deadline", "reschedule_count"])
    _record(
        order,
        by=by,
        kind=K.RESCHEDULED,
        from_status=order.status,
        reason=reason,
        note=note,
        policy=policy,
        date=date.isoformat(),
        window=window,
        previous=previous,
    )
    return order


@transaction.atomic
def reject(
    order: Order,
    *,
    reason: Reason,
    by: User,
    acknowledged_policy: Policy | None = None,
    note: str = "",
) -> Order:
    """new/assigned -> rejected: the folio goes back to the company. Rules: reason code of
    ``reject``; only within ``window_hours`` of routing; the policy acknowledged."""
    order = _lock(order)
    check_transition(order, "reject")
    check_actor(order, "reject", by)
    reason = _check_reason(reason, Action.REJECT)
    policy = policy_for(Action.REJECT, order.service_type)
    check_acknowledgement(policy, acknowledged_policy)
    window_hours = rule(policy, "window_hours")
    if window_hours is not None and timezone.now() > order.routed_at + dt.timedelta(hours=window_hours):
        raise OrderActionError(
            _("Folio %(folio)s can only be rejected within %(hours)s hours of being received.")
            % {"folio": order.folio, "hours": window_hours}
        )
    from_status = order.status
    order.status = S.REJECTED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at"])
    _record(order, by=by, kind=K.REJECTED, from_status=from_status, reason=reason, note=note, policy=policy)
    return order


@transaction.atomic
def cancel(
    order: Order,
    *,
    reason: Reason,
    by: User,
    other_folio: str = "",
    acknowledged_policy: Policy | None = None,
    note: str = "",
) -> Order:
    """new/assigned/in progress -> cancelled: no visit is needed any more. Rules: reason code
    of ``cancel``; a duplicate names the other folio, of the same distributor and not itself;
    the policy acknowledged."""
    order = _lock(order)
    check_transition(order, "cancel")
    check_actor(order, "cancel", by)
    reason = _check_reason(reason, Action.CANCEL)
    policy = policy_for(Action.CANCEL, order.service_type)
    check_acknowledgement(policy, acknowledged_policy)
    data: dict[str, Any] = {}
    if reason.needs_other_folio:
        data["duplicate_of"] = check_duplicate_of(order, other_folio)
    from_status = order.status
    order.status = S.CANCELLED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at"])
    _record(
        order,
        by=by,
        kind=K.CANCELLED,
        from_status=from_status,
        reason=reason,
        note=note,
        policy=policy,
        **data,
    )
    return order


@transaction.atomic
def change_type(
    order: Order,
    *,
    service_type: ServiceType,
    reason: Reason,
    by: User,
    acknowledged_policy: Policy | None = None,
    note: str = "",
) -> Order:
    """new/assigned: the order was sent as one type but needs another. Rules: reason code of
    ``change_type``; an active type other than the current one; an assigned crew must do the
    new type; the policy acknowledged. An unscheduled order's SLA restarts from now with the
    new type's hours."""
    order = _lock(order)
    check_transition(order, "change_type")
    check_actor(order, "change_type", by)
    reason = _check_reason(reason, Action.CHANGE_TYPE)
    policy = policy_for(Action.CHANGE_TYPE, order.service_type)
    check_acknowledgement(policy, acknowledged_policy)
    if service_type.pk == order.service_type_id:
        raise OrderActionError(_("Folio %(folio)s is already of that type.") % {"folio": order.folio})
    if not service_type.active:
        raise OrderActionError(_("Order type %(type)s is not active.") % {"type": service_type.code})
    if order.crew_id and not order.crew.service_types.filter(pk=service_type.pk).exists():
        raise OrderActionError(
            _("The assigned crew does not do %(type)s orders: reassign the folio first.") % {"type": service_type.name}
        )
    previous = order.service_type
    order.service_type = service_type
    if order.appointment_date is None:
        order.deadline = timezone.now() + dt.timedelta(hours=service_type.sla_hours)
    order.save(update_fields=["service_type", "deadline"])
    _record(
        order,
        by=by,
        kind=K.TYPE_CHANGED,
        from_status=order.status,
        reason=reason,
        note=note,
        policy=policy,
        previous_type=previous.code,
        new_type=service_type.code,
    )
    return order


# --- the visit --------------------------------------------------------------------------------


@transaction.atomic
def start(
    order: Order,
    *,
    by: User,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Order:
    """assigned -> in progress: the crew is at the customer."""
    order = _lock(order)
    check_transition(order, "start")
    check_actor(order, "start", by)
    order.status = S.IN_PROGRESS
    order.started_at = timezone.now()
    order.save(update_fields=["status", "started_at"])
    position = {"latitude": str(latitude), "longitude": str(longitude)} if latitude is not None else {}
    _record(order, by=by, kind=K.STARTED, from_status=S.ASSIGNED, **position)
    return order


@dataclass(frozen=True)
class MaterialLine:
    material: Material
    quantity: Decimal
    serial_number: str = ""
    recovered: bool = False


def _check_materials(order: Order, lines: Sequence[MaterialLine], policy: Policy | None) -> None:
    limits: dict[str, Any] = rule(policy, "material_limits", {}) or {}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    serials: set[str] = set()
    for line in lines:
        material = line.material
        if line.quantity is None or line.quantity <= 0:
            raise OrderActionError(_("The quantity of %(code)s must be greater than zero.") % {"code": material.code})
        if not material.active:
            raise OrderActionError(_("Material %(code)s is no longer in the catalogue.") % {"code": material.code})
        if not material.brands.filter(pk=order.brand_id).exists():
            raise OrderActionError(
                _("Material %(code)s is not used for %(brand)s.") % {"code": material.code, "brand": order.brand.name}
            )
        if line.recovered and not (order.service_type.recovers_equipment and material.is_receiver):
            raise OrderActionError(_("Only receivers are recovered, and only on recovery orders."))
        if material.serialized:
            serial = line.serial_number.strip()
            if not serial:
                raise OrderActionError(_("Give the serial number of each %(code)s.") % {"code": material.code})
            if line.quantity != 1:
                raise OrderActionError(_("Serialised material is declared one piece per serial."))
            if serial in serials:
                raise OrderActionError(_("Serial number %(serial)s is repeated.") % {"serial": serial})
            serials.add(serial)
        if not line.recovered:
            totals[material.code] += line.quantity
    for code, total in totals.items():
        limit = limits.get(code)
        if limit is not None and total > Decimal(str(limit)):
            raise OrderActionError(
                _("At most %(limit)s of %(code)s may be declared for this order type.") % {"limit": limit, "code": code}
            )


@transaction.atomic
def complete(
    order: Order,
    *,
    by: User,
    solution_codes: Sequence[Reason],
    comments: str = "",
    materials: Sequence[MaterialLine] = (),
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Order:
    """assigned/in progress -> completed, with the closing codes (1 to 3), comments, the material
    used (within the policy's limits; serials for serialised material) and the position at
    closing. Writes the order's billing line."""
    from facturacion.billing import bill_completed_order

    order = _lock(order)
    check_transition(order, "complete")
    check_actor(order, "complete", by)
    codes = list(solution_codes)
    if not 1 <= len(codes) <= 3:
        raise OrderActionError(_("Give between one and three solution codes."))
    for code in codes:
        _check_reason(code, Action.COMPLETE)
    policy = policy_for(Action.COMPLETE, order.service_type)
    _check_materials(order, materials, policy)
    from_status = order.status
    order.status = S.COMPLETED
    order.closed_at = timezone.now()
    order.solution_code_1, order.solution_code_2, order.solution_code_3 = [*codes, None, None][:3]
    order.solution_comments = comments
    order.closing_latitude, order.closing_longitude = latitude, longitude
    order.save(
        update_fields=[
            "status",
            "closed_at",
            "solution_code_1",
            "solution_code_2",
            "solution_code_3",
            "solution_comments",
            "closing_latitude",
            "closing_longitude",
        ]
    )
    MaterialUsage.objects.bulk_create(
        MaterialUsage(
            order=order,
            material=line.material,
            quantity=line.quantity,
            serial_number=line.serial_number.strip(),
            recovered=line.recovered,
        )
        for line in materials
    )
    line = bill_completed_order(order)
    _record(
        order,
        by=by,
        kind=K.COMPLETED,
        from_status=from_status,
        reason=codes[0],
        note=comments,
        solution_codes=[c.code for c in codes],
        materials=[
            {
                "code": m.material.code,
                "quantity": str(m.quantity),
                "serial": m.serial_number,
                "recovered": m.recovered,
            }
            for m in materials
        ],
        billed=str(line.total),
    )
    return order
