"""One folio: its detail page and every action a dispatcher takes on it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from asignaciones import actions
from asignaciones.board import humanize_time_left
from asignaciones.forms import ACTION_FORMS, AssignForm
from asignaciones.models import Order
from asignaciones.rules import OrderActionError, may, policy_for
from asignaciones.selectors import get_order_for, policies_visible_to
from asignaciones.sla import LIGHT_LABELS
from asignaciones.views.access import DISPATCHERS, portal_view
from cuadrillas.coverage import in_coverage
from cuadrillas.selectors import crews_ranked_for, crews_visible_to

# The actions offered on the detail page, in the order they are shown.
PAGE_ACTIONS = ("assign", "reassign", "unassign", "reschedule", "change_type", "reject", "cancel")

ACTION_FUNCTIONS = {
    "reschedule": actions.reschedule,
    "reject": actions.reject,
    "cancel": actions.cancel,
    "change_type": actions.change_type,
}


def _done_message(action: str, order: Order) -> str:
    messages_by_action = {
        "assign": _("Folio %(folio)s assigned to %(crew)s."),
        "reassign": _("Folio %(folio)s reassigned to %(crew)s."),
        "unassign": _("Folio %(folio)s is back in the list to assign."),
        "reschedule": _("Folio %(folio)s rescheduled."),
        "reject": _("Folio %(folio)s rejected: it goes back to the company."),
        "cancel": _("Folio %(folio)s cancelled."),
        "change_type": _("Folio %(folio)s is now a %(type)s order."),
    }
    return messages_by_action[action] % {
        "folio": order.folio,
        "crew": order.crew.code if order.crew_id else "",
        "type": order.service_type.name,
    }


@require_http_methods(["GET"])
@portal_view()
def order_detail(request: HttpRequest, folio: str) -> HttpResponse:
    """Customer, address and map position, appointment, deadline and colour, crew, history,
    material and documents; only the actions the user may take now are offered."""
    order = get_order_for(request.user, folio)
    events = list(order.events.select_related("actor", "reason").order_by("at", "pk"))
    acknowledged_ids = {e.data["policy"]["id"] for e in events if isinstance(e.data.get("policy"), dict)}
    documents = list(policies_visible_to(request.user).filter(pk__in=acknowledged_ids)) if acknowledged_ids else []
    context = {
        "order": order,
        "events": events,
        "materials": list(order.materials.select_related("material")),
        "documents": documents,
        "offered": [a for a in PAGE_ACTIONS if may(order, a, request.user)],
        "time_left_label": humanize_time_left(order.time_left, order.light),
        "light_label": LIGHT_LABELS.get(order.light, ""),
        "in_coverage": in_coverage(
            order.distributor, postal_code=order.postal_code, latitude=order.latitude, longitude=order.longitude
        ),
    }
    return render(request, "asignaciones/order_detail.html", context)


@require_http_methods(["GET", "POST"])
@portal_view(DISPATCHERS)
def assign(request: HttpRequest, folio: str) -> HttpResponse:
    """Assign (or reassign) to one of the distributor's crews, ranked by km to the customer,
    with the day's load against capacity and the fit for the folio's brand and type."""
    order = get_order_for(request.user, folio)
    action = "reassign" if order.status == Order.Status.ASSIGNED else "assign"
    if not may(order, action, request.user):
        messages.error(request, _("Folio %(folio)s cannot be assigned now.") % {"folio": order.folio})
        return redirect("asignaciones:order", folio=order.folio)
    day = actions.service_day(order)
    crews = crews_visible_to(request.user).filter(distributor_id=order.distributor_id, active=True)
    form = AssignForm(request.POST or None, crews=crews)
    if request.method == "POST" and form.is_valid():
        function = actions.reassign if action == "reassign" else actions.assign
        try:
            order = function(order, form.cleaned_data["crew"], by=request.user, note=form.cleaned_data["note"])
        except OrderActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _done_message(action, order))
            return redirect("asignaciones:order", folio=order.folio)
    ranked = list(crews_ranked_for(order, day=day))
    context = {
        "order": order,
        "action": action,
        "form": form,
        "ranked": ranked,
        "day": day,
        "in_coverage": ranked[0].order_in_coverage
        if ranked
        else in_coverage(
            order.distributor, postal_code=order.postal_code, latitude=order.latitude, longitude=order.longitude
        ),
    }
    return render(request, "asignaciones/assign.html", context, status=400 if form.errors else 200)


@require_POST
@portal_view(DISPATCHERS)
def unassign(request: HttpRequest, folio: str) -> HttpResponse:
    order = get_order_for(request.user, folio)
    try:
        order = actions.unassign(order, by=request.user, note=request.POST.get("note", "")[:500])
    except OrderActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _done_message("unassign", order))
    return redirect("asignaciones:order", folio=order.folio)


@require_http_methods(["GET", "POST"])
@portal_view(DISPATCHERS)
def order_action(request: HttpRequest, folio: str, action: str) -> HttpResponse:
    """Reschedule, reject, cancel or change type: reason codes, the policy in force (a PDF that
    opens in the browser) and its acknowledgement. A refusal is shown on the form and changes
    nothing."""
    if action not in ACTION_FORMS:
        raise Http404
    order = get_order_for(request.user, folio)
    if not may(order, action, request.user):
        messages.error(request, _("That cannot be done with folio %(folio)s now.") % {"folio": order.folio})
        return redirect("asignaciones:order", folio=order.folio)
    policy = policy_for(action, order.service_type)
    form_class = ACTION_FORMS[action]
    form = form_class(request.POST or None, order=order, policy=policy, policies=policies_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            order = ACTION_FUNCTIONS[action](order, by=request.user, **form.action_kwargs())
        except OrderActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _done_message(action, order))
            return redirect("asignaciones:order", folio=order.folio)
    context: dict[str, Any] = {
        "order": order,
        "action": action,
        "form": form,
        "policy": policy,
        "title": _action_title(action),
        "destructive": action in ("reject", "cancel"),
    }
    return render(request, "asignaciones/order_action.html", context, status=400 if form.errors else 200)


def _action_title(action: str) -> str:
    return {
        "reschedule": _("Reschedule folio"),
        "reject": _("Reject folio"),
        "cancel": _("Cancel folio"),
        "change_type": _("Change the order type"),
    }[action]
