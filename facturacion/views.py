"""Facturación (prefactura): the billing lines of a period, their totals with VAT, and a CSV."""

from __future__ import annotations

import csv
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from asignaciones.views.access import portal_view
from facturacion.forms import PeriodForm, default_period
from facturacion.selectors import (
    period_bounds,
    statement_lines,
    statement_totals,
    totals_by_distributor,
)
from heat.tenancy import portal_role


def _period(request: HttpRequest) -> tuple[PeriodForm, ZoneInfo]:
    """The period asked for (or this month), in the viewer's distributor's zone."""
    role = portal_role(request.user)
    zone = role.distributor.zone if role.distributor else ZoneInfo(settings.TIME_ZONE)
    data = request.GET if {"first", "last"} & set(request.GET) else None
    form = PeriodForm(data, initial=default_period(timezone.now().astimezone(zone).date()))
    return form, zone


def _bounds(form: PeriodForm, zone: ZoneInfo):
    """The period asked for when valid; else (with the form's errors shown) this month."""
    period = form.cleaned_data if form.is_bound and form.is_valid() else form.initial
    return period["first"], period["last"], period_bounds(period["first"], period["last"], zone)


@require_GET
@portal_view()
def statement(request: HttpRequest) -> HttpResponse:
    form, zone = _period(request)
    first, last, (start, end) = _bounds(form, zone)
    lines = statement_lines(request.user, start, end)
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    multi = portal_role(request.user).distributors().count() > 1
    context = {
        "form": form,
        "first": first,
        "last": last,
        "page": page,
        "totals": statement_totals(lines),
        "by_distributor": totals_by_distributor(lines) if multi else [],
        "query": f"first={first:%Y-%m-%d}&last={last:%Y-%m-%d}",
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "facturacion/statement.html", context, status=status)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@portal_view()
def statement_csv(request: HttpRequest) -> HttpResponse:
    form, zone = _period(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(" ".join(form.non_field_errors()) or _("Check the dates."), status=400)
    first, last, (start, end) = _bounds(form, zone)
    writer = csv.writer(_Echo())
    header = [
        _("Distributor"),
        _("Folio"),
        _("Type"),
        _("Brand"),
        _("Completed"),
        _("Commission"),
        _("Paid km"),
        _("Mileage"),
        _("Days late"),
        _("Penalty"),
        _("Total before VAT"),
    ]

    def rows():
        yield writer.writerow(header)
        for line in statement_lines(request.user, start, end).iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    line.distributor.name,
                    line.order.folio,
                    line.order.service_type.code,
                    line.order.brand.name,
                    timezone.localtime(line.completed_at, line.distributor.zone).strftime("%Y-%m-%d %H:%M"),
                    line.commission,
                    line.mileage_km,
                    line.mileage_amount,
                    line.days_late,
                    line.penalty,
                    line.total,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="prefactura-{first:%Y%m%d}-{last:%Y%m%d}.csv"'
    return response
