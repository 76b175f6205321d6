"""Crews pages: list with technicians and today's load, detail, create, edit, move technicians."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from asignaciones.board import humanize_time_left
from asignaciones.views.access import OWNERS, portal_view
from cuadrillas.actions.crews import CrewActionError, create_crew, move_technician, update_crew
from cuadrillas.forms import CrewForm, MoveTechnicianForm
from cuadrillas.models import Crew
from cuadrillas.selectors import crews_visible_to
from cuadrillas.selectors_crews import crew_open_orders, crews_with_load, portal_today, technicians_visible_to
from heat.tenancy import portal_role


def _crew_or_404(request: HttpRequest, pk: int) -> Crew:
    crew = crews_visible_to(request.user).select_related("distributor").filter(pk=pk).first()
    if crew is None:
        raise Http404("No such crew")
    return crew


@require_http_methods(["GET"])
@portal_view()
def crews(request: HttpRequest) -> HttpResponse:
    day = portal_today(request.user)
    return render(
        request,
        "cuadrillas/crew_list.html",
        {"crews": list(crews_with_load(request.user, day)), "day": day, "is_owner": portal_role(request.user).is_owner},
    )


@require_http_methods(["GET"])
@portal_view()
def crew_detail(request: HttpRequest, pk: int) -> HttpResponse:
    day = portal_today(request.user)
    crew = crews_with_load(request.user, day).filter(pk=pk).first()
    if crew is None:
        raise Http404("No such crew")
    orders = list(crew_open_orders(crew))
    for order in orders:
        order.time_left_label = humanize_time_left(order.time_left, order.light)
    is_owner = portal_role(request.user).is_owner
    move_form = None
    if is_owner:
        move_form = MoveTechnicianForm(
            technicians=crew.technicians.all(),
            crews=crews_visible_to(request.user).filter(active=True).exclude(pk=crew.pk),
        )
    context = {"crew": crew, "orders": orders, "day": day, "is_owner": is_owner, "move_form": move_form}
    return render(request, "cuadrillas/crew_detail.html", context)


@require_http_methods(["GET", "POST"])
@portal_view(OWNERS)
def crew_create(request: HttpRequest) -> HttpResponse:
    form = CrewForm(request.POST or None, initial={"daily_capacity": 6, "active": True})
    if request.method == "POST" and form.is_valid():
        try:
            crew = create_crew(portal_role(request.user).distributor, by=request.user, **form.action_kwargs())
        except CrewActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Crew %(crew)s created.") % {"crew": crew.code})
            return redirect("cuadrillas:crew", pk=crew.pk)
    return render(
        request, "cuadrillas/crew_form.html", {"form": form, "crew": None}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@portal_view(OWNERS)
def crew_edit(request: HttpRequest, pk: int) -> HttpResponse:
    crew = _crew_or_404(request, pk)
    form = CrewForm(request.POST or None, instance=crew)
    if request.method == "POST" and form.is_valid():
        try:
            crew = update_crew(crew, by=request.user, **form.action_kwargs())
        except CrewActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Crew %(crew)s saved.") % {"crew": crew.code})
            return redirect("cuadrillas:crew", pk=crew.pk)
    return render(
        request, "cuadrillas/crew_form.html", {"form": form, "crew": crew}, status=400 if form.errors else 200
    )


@require_POST
@portal_view(OWNERS)
def technician_move(request: HttpRequest, pk: int) -> HttpResponse:
    crew = _crew_or_404(request, pk)
    form = MoveTechnicianForm(
        request.POST,
        technicians=technicians_visible_to(request.user).filter(crew=crew),
        crews=crews_visible_to(request.user),
    )
    if not form.is_valid():
        messages.error(request, _("Choose a technician of this crew and another crew of yours."))
        return redirect("cuadrillas:crew", pk=crew.pk)
    technician, target = form.cleaned_data["technician"], form.cleaned_data["crew"]
    try:
        move_technician(technician, target, by=request.user)
    except CrewActionError as error:
        messages.error(request, error.message)
        return redirect("cuadrillas:crew", pk=crew.pk)
    messages.success(request, _("%(name)s moved to crew %(crew)s.") % {"name": technician, "crew": target.code})
    return redirect("cuadrillas:crew", pk=target.pk)
