"""The distributor's side of the visit: technicians' pending requests (/solicitudes/), accepting
or refusing them, the visit-control fragment of a folio and its photos. Another distributor's
request, folio or photo is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from asignaciones.actions import visits
from asignaciones.forms_tecnico import AcceptRequestForm, RefuseRequestForm
from asignaciones.models import Policy
from asignaciones.rules import OrderActionError
from asignaciones.selectors import policies_visible_to
from asignaciones.selectors_tecnico import get_request_for, pending_requests_for, photo_for, visit_for
from heat.tenancy import portal_role


def _back(request: HttpRequest) -> HttpResponse:
    """Back where the dispatcher answered from (the folio's page or the list)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("solicitudes:list")


def _with_policies(requests: list) -> list:
    """Attach the policy each request's acceptance needs (few distinct ones: cached per kind/type)."""
    cache: dict[tuple[str, int], Policy | None] = {}
    for item in requests:
        key = (item.kind, item.order.service_type_id)
        if key not in cache:
            cache[key] = visits.policy_for_request(item)
        item.policy = cache[key]
    return requests


@require_GET
@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    role = portal_role(request.user)
    pending = _with_policies(list(pending_requests_for(request.user)))
    may_answer = role.is_distributor_staff or role.is_back_office
    return render(request, "asignaciones/requests.html", {"pending": pending, "may_answer": may_answer})


@require_POST
@login_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_request_for(request.user, pk)
    form = AcceptRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form."))
        return _back(request)
    policy = None
    if form.cleaned_data["acknowledge"] and form.cleaned_data["policy"]:
        policy = policies_visible_to(request.user).filter(pk=form.cleaned_data["policy"]).first()
    try:
        visits.accept_request(item, by=request.user, acknowledged_policy=policy, note=form.cleaned_data["note"])
    except OrderActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Request for folio %(folio)s accepted; the technician was told.") % {"folio": item.order.folio}
        )
    return _back(request)


@require_POST
@login_required
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_request_for(request.user, pk)
    form = RefuseRequestForm(request.POST)
    form.is_valid()
    try:
        visits.refuse_request(item, by=request.user, note=form.cleaned_data.get("note", ""))
    except OrderActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Request for folio %(folio)s refused; the technician was told.") % {"folio": item.order.folio}
        )
    return _back(request)


@require_GET
@login_required
def visit_control(request: HttpRequest, folio: str) -> HttpResponse:
    """The visit-control fragment of one folio (loaded by htmx into the folio's page)."""
    order = visit_for(request.user, folio)
    role = portal_role(request.user)
    pending = _with_policies([r for r in order.requests.all() if r.status == r.Status.PENDING and order.is_open])
    context = {
        "order": order,
        "check_in": getattr(order, "check_in", None),
        "far_m": visits.FAR_CHECK_IN_M,
        "closing_distance_m": (
            visits.distance_m(order, order.closing_latitude, order.closing_longitude)
            if order.closing_latitude is not None
            else None
        ),
        "pending": pending,
        "may_answer": role.is_distributor_staff or role.is_back_office,
        "next": request.GET.get("next", ""),
    }
    with timezone.override(order.distributor.zone):  # the distributor's wall clock
        return render(request, "asignaciones/requests_visit_control.html", context)


@require_GET
@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A visit photo, to whoever may see its folio; never a public media URL."""
    item = photo_for(request.user, pk)
    response = FileResponse(item.image.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
