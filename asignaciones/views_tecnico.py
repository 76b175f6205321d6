"""The technician's pages (/tecnico/), made for a phone: the crew's visits, one visit, check-in,
closing, and requests to the dispatcher. A technician sees their crew's folios only; any other
folio is a 404, the same as one that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from asignaciones import actions
from asignaciones.actions import visits
from asignaciones.forms_tecnico import (
    CheckInForm,
    CompleteForm,
    DuplicateForm,
    MaterialFormSet,
    RecoveredFormSet,
    RescheduleRequestForm,
)
from asignaciones.rules import OrderActionError, may
from asignaciones.selectors_tecnico import unread_for, visit_for, visits_for
from heat.tenancy import portal_role


def technician_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        role = portal_role(request.user)
        if not role.is_technician:
            raise PermissionDenied
        # Times on these pages are the distributor's wall clock, wherever the server runs.
        with timezone.override(role.distributor.zone):
            return view(request, *args, **kwargs)

    return wrapper


@require_GET
@technician_required
def visits_list(request: HttpRequest) -> HttpResponse:
    """Today's and this week's visits; htmx polls it every 30 s and gets the list alone."""
    role = portal_role(request.user)
    context = {
        "visits": visits_for(request.user, day=actions.local_today(role.distributor)),
        "unread": list(unread_for(request.user)[:5]),
        "crew": role.crew,
    }
    template = "tecnico/partials/visits.html" if request.htmx else "tecnico/visits.html"
    return render(request, template, context)


def _visit_context(request: HttpRequest, order: Any, **forms: Any) -> dict[str, Any]:
    user = request.user
    pending = [r for r in order.requests.all() if r.status == r.Status.PENDING]
    return {
        "order": order,
        "check_in": getattr(order, "check_in", None),
        "far_m": visits.FAR_CHECK_IN_M,
        "pending_requests": pending,
        "may_check_in": may(order, "start", user),
        "may_complete": may(order, "complete", user),
        "may_request": order.is_open,
        **forms,
    }


@require_GET
@technician_required
def visit(request: HttpRequest, folio: str) -> HttpResponse:
    order = visit_for(request.user, folio)
    return render(request, "tecnico/visit.html", _visit_context(request, order, check_in_form=CheckInForm()))


@require_POST
@technician_required
def check_in(request: HttpRequest, folio: str) -> HttpResponse:
    order = visit_for(request.user, folio)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            record = visits.check_in(order, by=request.user, accuracy_m=form.accuracy_m, **form.position)
        except OrderActionError as error:
            messages.error(request, error.message)
        else:
            if record.distance_m is None:
                messages.warning(request, _("Arrival recorded without your position."))
            elif record.distance_m > visits.FAR_CHECK_IN_M:
                messages.warning(
                    request,
                    _("Arrival recorded, %(m)s m from the customer's address: the distributor will see it.")
                    % {"m": record.distance_m},
                )
            else:
                messages.success(request, _("Arrival recorded, %(m)s m from the customer.") % {"m": record.distance_m})
            return redirect("tecnico:visit", folio=order.folio)
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect("tecnico:visit", folio=order.folio)


@require_http_methods(["GET", "POST"])
@technician_required
def complete(request: HttpRequest, folio: str) -> HttpResponse:
    order = visit_for(request.user, folio)
    if not may(order, "complete", request.user):
        messages.error(request, _("Folio %(folio)s cannot be closed now.") % {"folio": order.folio})
        return redirect("tecnico:visit", folio=order.folio)
    recovers = order.service_type.recovers_equipment
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = CompleteForm(data, files)
    materials = MaterialFormSet(data, prefix="material", form_kwargs={"order": order})
    recovered = RecoveredFormSet(data, prefix="recovered", form_kwargs={"order": order}) if recovers else None
    if request.method == "POST":
        valid = form.is_valid() & materials.is_valid() & (recovered is None or recovered.is_valid())
        if valid:
            lines = [line for f in materials.forms if (line := f.line())]
            if recovered is not None:
                lines += [line for f in recovered.forms if (line := f.line())]
            try:
                visits.complete_visit(
                    order,
                    by=request.user,
                    solution_codes=form.solution_codes,
                    comments=form.cleaned_data["comments"],
                    materials=lines,
                    photos=form.cleaned_data["photos"],
                    **form.position,
                )
            except OrderActionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Folio %(folio)s closed. Thank you!") % {"folio": order.folio})
                return redirect("tecnico:visits")
    context = {"order": order, "form": form, "materials": materials, "recovered": recovered}
    return render(request, "tecnico/complete.html", context, status=400 if request.method == "POST" else 200)


def _request_view(
    request: HttpRequest,
    folio: str,
    *,
    form_class: type,
    template: str,
    submit: Callable[..., Any],
    done: str,
) -> HttpResponse:
    order = visit_for(request.user, folio)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                submit(order, form.cleaned_data)
        except OrderActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done % {"folio": order.folio})
            return redirect("tecnico:visit", folio=order.folio)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"order": order, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@technician_required
def request_reschedule(request: HttpRequest, folio: str) -> HttpResponse:
    def submit(order: Any, data: dict[str, Any]) -> None:
        visits.request_reschedule(
            order, by=request.user, reason=data["reason"], date=data["date"], window=data["window"], note=data["note"]
        )

    return _request_view(
        request,
        folio,
        form_class=RescheduleRequestForm,
        template="tecnico/request_reschedule.html",
        submit=submit,
        done=_("Reschedule of folio %(folio)s requested: the dispatcher will answer."),
    )


@require_http_methods(["GET", "POST"])
@technician_required
def flag_duplicate(request: HttpRequest, folio: str) -> HttpResponse:
    def submit(order: Any, data: dict[str, Any]) -> None:
        visits.flag_duplicate(order, by=request.user, other_folio=data["other_folio"], note=data["note"])

    return _request_view(
        request,
        folio,
        form_class=DuplicateForm,
        template="tecnico/flag_duplicate.html",
        submit=submit,
        done=_("Folio %(folio)s flagged as a duplicate: the dispatcher will answer."),
    )
