"""The visit, from the technician's side, and the requests technicians send the dispatcher.

Check-in and completion wrap the core ``start``/``complete`` actions in one transaction with
their own records (the check-in's position and distance, the photos), so either everything is
written or nothing. A technician cannot reschedule or cancel a folio: they *ask*, and the
distributor's owner or dispatchers accept (which runs ``reschedule`` or ``cancel`` under its
policy) or refuse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from asignaciones import sla
from asignaciones.actions.orders import MaterialLine, check_duplicate_of, complete, local_today, reschedule, start
from asignaciones.actions.orders import cancel as cancel_order
from asignaciones.models import (
    Action,
    Order,
    Policy,
    Reason,
    TechnicianRequest,
    VisitCheckIn,
    VisitPhoto,
)
from asignaciones.rules import LEGAL_FROM, OrderActionError, actor_capacity
from cuadrillas.geo import great_circle_km

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

# A check-in farther than this from the customer's coordinates is flagged (control de visitas).
FAR_CHECK_IN_M = 500

R = TechnicianRequest


@dataclass(frozen=True)
class Photo:
    """An uploaded photo already checked by content (see ``forms_tecnico.check_photo``)."""

    file: UploadedFile
    content_type: str
    size: int


def distance_m(order: Order, latitude: Decimal, longitude: Decimal) -> int:
    return round(great_circle_km(order.latitude, order.longitude, latitude, longitude) * 1000)


@transaction.atomic
def check_in(
    order: Order,
    *,
    by: User,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    accuracy_m: int | None = None,
) -> VisitCheckIn:
    """assigned -> in progress, recording when and where the phone was (when the technician
    allowed the browser to tell) and how far that is from the customer. Rules: those of
    ``start``; a position has both coordinates or neither."""
    if (latitude is None) != (longitude is None):
        raise OrderActionError(_("The position is incomplete: try again or check in without it."))
    order = start(order, by=by, latitude=latitude, longitude=longitude)
    has_position = latitude is not None
    return VisitCheckIn.objects.create(
        order=order,
        technician=by,
        at=order.started_at,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy_m if has_position else None,
        distance_m=distance_m(order, latitude, longitude) if has_position else None,
    )


@transaction.atomic
def complete_visit(
    order: Order,
    *,
    by: User,
    solution_codes: Sequence[Reason],
    comments: str = "",
    materials: Sequence[MaterialLine] = (),
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photos: Sequence[Photo] = (),
) -> Order:
    """The core ``complete`` (closing codes, material within the policy's limits, serials, the
    closing position, the billing line, the crew's stock) plus the visit's photos, all or
    nothing. Rules: those of ``complete``; at most five photos."""
    if len(photos) > 5:
        raise OrderActionError(_("Attach at most five photos."))
    if (latitude is None) != (longitude is None):
        raise OrderActionError(_("The position is incomplete: try again or close without it."))
    order = complete(
        order,
        by=by,
        solution_codes=solution_codes,
        comments=comments,
        materials=materials,
        latitude=latitude,
        longitude=longitude,
    )
    now = timezone.now()
    # Photos go last, after every rule has passed, so a refused closing writes no file; and the
    # files already written are removed if a later one fails (the rows roll back by themselves).
    written: list[VisitPhoto] = []
    try:
        for photo in photos:
            written.append(
                VisitPhoto.objects.create(
                    order=order,
                    image=photo.file,
                    content_type=photo.content_type,
                    size=photo.size,
                    uploaded_by=by,
                    uploaded_at=now,
                )
            )
    except Exception:
        for row in written:
            row.image.storage.delete(row.image.name)
        raise
    return order


# --- technician requests -------------------------------------------------------------------------


def _lock_open_order_for_technician(order: Order, by: User, action: str) -> Order:
    order = (
        Order.objects.select_for_update(no_key=True, of=("self",))
        .select_related("distributor", "service_type")
        .get(pk=order.pk)
    )
    if actor_capacity(order, by) != "technician":
        raise OrderActionError(
            _("Only the crew's technicians send requests about folio %(folio)s.") % {"folio": order.folio}
        )
    if order.status not in LEGAL_FROM[action]:
        raise OrderActionError(_("Folio %(folio)s is already closed.") % {"folio": order.folio})
    return order


def _check_no_pending(order: Order, kind: str) -> None:
    if TechnicianRequest.objects.filter(order=order, kind=kind, status=R.Status.PENDING).exists():
        raise OrderActionError(
            _("Folio %(folio)s already has a pending request of that kind: wait for the dispatcher's answer.")
            % {"folio": order.folio}
        )


def _notify(request: TechnicianRequest, stage: str) -> None:
    from asignaciones.tasks import defer_in_transaction, notify_request

    defer_in_transaction(notify_request, request_id=request.pk, stage=stage)


@transaction.atomic
def request_reschedule(
    order: Order,
    *,
    by: User,
    reason: Reason,
    date: dt.date,
    window: str,
    note: str = "",
) -> TechnicianRequest:
    """A technician of the folio's crew asks for a new appointment. Rules: an open folio; a
    reschedule reason; a window; a date from today on (the policy's limits are checked when the
    dispatcher accepts); one pending reschedule request per folio. The dispatchers are told."""
    order = _lock_open_order_for_technician(order, by, "reschedule")
    if reason is None or reason.action != Action.RESCHEDULE or not reason.active:
        raise OrderActionError(_("Choose a reason."))
    if window not in sla.WINDOWS:
        raise OrderActionError(_("Choose a time window."))
    if date < local_today(order.distributor):
        raise OrderActionError(_("The new date cannot be in the past."))
    _check_no_pending(order, R.Kind.RESCHEDULE)
    request = TechnicianRequest.objects.create(
        order=order,
        kind=R.Kind.RESCHEDULE,
        requested_by=by,
        requested_at=timezone.now(),
        reason=reason,
        proposed_date=date,
        proposed_window=window,
        note=note,
    )
    _notify(request, "created")
    return request


@transaction.atomic
def flag_duplicate(order: Order, *, by: User, other_folio: str, note: str = "") -> TechnicianRequest:
    """A technician of the folio's crew says it duplicates another folio. Rules: an open folio;
    the other folio exists at the same distributor and is not this one; one pending duplicate
    flag per folio. The dispatchers are told."""
    order = _lock_open_order_for_technician(order, by, "cancel")
    other_folio = check_duplicate_of(order, other_folio)
    _check_no_pending(order, R.Kind.DUPLICATE)
    request = TechnicianRequest.objects.create(
        order=order,
        kind=R.Kind.DUPLICATE,
        requested_by=by,
        requested_at=timezone.now(),
        other_folio=other_folio,
        note=note,
    )
    _notify(request, "created")
    return request


def _lock_pending(request: TechnicianRequest, by: User) -> TechnicianRequest:
    request = (
        TechnicianRequest.objects.select_for_update(no_key=True, of=("self",))
        .select_related("order__distributor", "order__service_type", "reason")
        .get(pk=request.pk)
    )
    if actor_capacity(request.order, by) not in ("dispatcher", "back_office"):
        raise OrderActionError(
            _("You are not allowed to do that with folio %(folio)s.") % {"folio": request.order.folio}
        )
    if request.status != R.Status.PENDING:
        raise OrderActionError(_("This request was already answered."))
    return request


def duplicate_reason() -> Reason | None:
    """The cancel reason for duplicates (the one that needs the other folio)."""
    return Reason.objects.filter(action=Action.CANCEL, needs_other_folio=True, active=True).order_by("pk").first()


def policy_for_request(request: TechnicianRequest) -> Policy | None:
    """The policy the dispatcher acknowledges to accept ``request``."""
    from asignaciones.rules import policy_for

    action = Action.RESCHEDULE if request.kind == R.Kind.RESCHEDULE else Action.CANCEL
    return policy_for(action, request.order.service_type)


@transaction.atomic
def accept_request(
    request: TechnicianRequest,
    *,
    by: User,
    acknowledged_policy: Policy | None = None,
    note: str = "",
) -> TechnicianRequest:
    """The dispatcher accepts: a reschedule runs ``reschedule`` with the proposed date, window
    and reason; a duplicate runs ``cancel`` with the duplicate reason and the other folio. Each
    under its policy, which the dispatcher acknowledges. Rules: a pending request of the
    dispatcher's distributor, and those of the action. The technician is told."""
    request = _lock_pending(request, by)
    order = request.order
    if request.kind == R.Kind.RESCHEDULE:
        reschedule(
            order,
            date=request.proposed_date,
            window=request.proposed_window,
            reason=request.reason,
            by=by,
            acknowledged_policy=acknowledged_policy,
            note=note or request.note,
        )
    else:
        reason = duplicate_reason()
        if reason is None:
            raise OrderActionError(_("There is no cancellation reason for duplicates in the catalogue."))
        cancel_order(
            order,
            reason=reason,
            by=by,
            other_folio=request.other_folio,
            acknowledged_policy=acknowledged_policy,
            note=note or request.note,
        )
    request.status = R.Status.ACCEPTED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _notify(request, "decided")
    return request


@transaction.atomic
def refuse_request(request: TechnicianRequest, *, by: User, note: str = "") -> TechnicianRequest:
    """The dispatcher refuses; the folio stays as it is. Rules: a pending request of the
    dispatcher's distributor. The technician is told, with the dispatcher's note."""
    request = _lock_pending(request, by)
    request.status = R.Status.REFUSED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _notify(request, "decided")
    return request
