"""Materials (/cuadrillas/materiales/): the crews' balances, handovers to and from a crew, the
report per crew and period (CSV too) and the catalogue. The back office sees every distributor;
a master its distributors (read-only); technicians do not come here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from asignaciones.rules import OrderActionError
from cuadrillas import materials
from cuadrillas.actions import stock
from cuadrillas.forms_materials import HandoverForm, ReportForm
from cuadrillas.selectors import crews_visible_to
from heat.tenancy import RoleKind, portal_role

READERS = {RoleKind.BACK_OFFICE, RoleKind.MASTER, RoleKind.OWNER, RoleKind.DISPATCHER}


def materials_reader(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if portal_role(request.user).kind not in READERS:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@materials_reader
def balances(request: HttpRequest) -> HttpResponse:
    crews = materials.crews_for_handover(request.user)
    context = {
        "balances": list(materials.crew_balances(request.user)),
        "form": HandoverForm(crews=crews) if portal_role(request.user).kind != RoleKind.MASTER else None,
    }
    return render(request, "cuadrillas/materials.html", context)


@require_POST
@materials_reader
def handover(request: HttpRequest) -> HttpResponse:
    form = HandoverForm(request.POST, crews=materials.crews_for_handover(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            rows = stock.record_handover(
                data["crew"],
                data["material"],
                by=request.user,
                kind=data["kind"],
                quantity=data["quantity"],
                serials=form.serial_list,
                note=data["note"],
            )
        except OrderActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(count)s movement(s) of %(code)s recorded for crew %(crew)s.")
                % {"count": len(rows), "code": data["material"].code, "crew": data["crew"].code},
            )
            return redirect("cuadrillas:materials")
    context = {"balances": list(materials.crew_balances(request.user)), "form": form}
    return render(request, "cuadrillas/materials.html", context, status=400)


@require_GET
@materials_reader
def report(request: HttpRequest) -> HttpResponse:
    today = timezone.now().astimezone(materials.report_zone(request.user)).date()
    data = request.GET if "start" in request.GET else {"start": today.replace(day=1), "end": today}
    form = ReportForm(data, crews=crews_visible_to(request.user).order_by("code"))
    rows = []
    if form.is_valid():
        rows = list(
            materials.stock_report(
                request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                crew=form.cleaned_data["crew"],
            )
        )
        if request.GET.get("formato") == "csv":
            response = HttpResponse(materials.report_csv(rows), content_type="text/csv; charset=utf-8")
            name = f"material_{form.cleaned_data['start']:%Y%m%d}_{form.cleaned_data['end']:%Y%m%d}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(request, "cuadrillas/material_report.html", {"form": form, "rows": rows})


@require_GET
@materials_reader
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "cuadrillas/material_catalogue.html", {"materials": materials.catalogue()})
