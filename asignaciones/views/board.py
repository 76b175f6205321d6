"""The folio board, its exports and bulk assignment."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from asignaciones import exports
from asignaciones.actions.bulk import assign_many
from asignaciones.board import TABS, board_count, board_orders, board_rows, board_tab_counts, humanize_time_left
from asignaciones.forms import BoardFilterForm, BulkAssignForm
from asignaciones.models import Brand, ServiceType
from asignaciones.selectors import orders_visible_to
from asignaciones.views.access import DISPATCHERS, portal_view
from cuadrillas.selectors import crews_visible_to
from heat.tenancy import portal_role


class BoardPaginator(Paginator):
    """A paginator whose count is given (a cheaper query than counting the rows' queryset)."""

    count = None  # replaces the cached property; set by the view


def _filter_form(request: HttpRequest) -> BoardFilterForm:
    return BoardFilterForm(
        request.GET,
        crews=crews_visible_to(request.user).filter(active=True).only("pk", "code", "name").order_by("code"),
        brands=Brand.objects.all(),
        types=ServiceType.objects.filter(active=True),
    )


def _filter_options(form: BoardFilterForm) -> dict[str, list[tuple[str, str]]]:
    """The filters' choices as plain lists, for a template that renders them in one pass: the
    board is the most visited page, and widget-by-widget rendering would cost more than its SQL."""
    return {
        name: [(str(value), str(label)) for value, label in form.fields[name].choices if value != ""]
        for name in ("status", "light", "priority", "per_page")
    } | {
        "crew": [("none", str(_("Without crew")))] + [(str(c.pk), c.code) for c in form.crews],
        "type": [(str(t.pk), f"{t.code} · {t.name}") for t in form.fields["type"].queryset],
        "brand": [(str(b.pk), b.name) for b in form.fields["brand"].queryset],
    }


@require_GET
@portal_view()
def board(request: HttpRequest) -> HttpResponse:
    """SKY Asignaciones: tabs, filters, search, sort and pages, in a fixed number of queries.
    An htmx request (the table's own 30-second refresh) gets only the table."""
    role = portal_role(request.user)
    form = _filter_form(request)
    query = form.board_query()
    now = timezone.now()
    paginator = BoardPaginator(board_rows(request.user, query, now=now), form.page_size)
    paginator.count = board_count(request.user, query, now=now)
    page = paginator.get_page(request.GET.get("page"))
    for order in page.object_list:
        order.time_left_label = humanize_time_left(order.time_left, order.light)
    context = {
        "form": form,
        "query": query,
        "page": page,
        "tabs": [(key, label) for key, (label, _statuses) in TABS.items()],
        "can_act": role.kind in DISPATCHERS,
        "bulk_crews": form.crews,
        # One reverse() for the page rather than one per row.
        "folio_url": reverse("asignaciones:order", args=["FOLIO"]).removesuffix("FOLIO/"),
        "selected": {
            "status": form.data.getlist("status"),
            "light": form.data.getlist("light"),
            "type": form.data.getlist("type"),
            "brand": form.data.getlist("brand"),
            "crew": form.data.get("crew", ""),
            "priority": form.data.get("priority", ""),
            "per_page": str(form.page_size),
        },
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "asignaciones/partials/board_table.html", context)
    context["options"] = _filter_options(form)
    context["tab_counts"] = board_tab_counts(request.user)
    return render(request, "asignaciones/board.html", context)


@require_GET
@portal_view()
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered board as CSV, streamed row by row (the 'macro' of open services)."""
    query = _filter_form(request).board_query()
    return exports.csv_response(board_orders(request.user, query), filename=exports.filename(query, "csv"))


@require_GET
@portal_view()
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered board as an Excel workbook."""
    query = _filter_form(request).board_query()
    return exports.xlsx_response(board_orders(request.user, query), filename=exports.filename(query, "xlsx"))


@require_POST
@portal_view(DISPATCHERS)
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the selected folios to one crew; each folio is checked on its own and the page
    reports which were assigned and which were refused, and why."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = ""
    form = BulkAssignForm(request.POST, crews=crews_visible_to(request.user).filter(active=True))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back or "asignaciones:board")
    folios = form.cleaned_data["folios"]
    orders = list(orders_visible_to(request.user).filter(folio__in=folios))
    outcomes = assign_many(folios, orders, form.cleaned_data["crew"], by=request.user)
    assigned = [o.folio for o in outcomes if o.ok]
    if assigned:
        messages.success(
            request,
            _("Assigned to %(crew)s: %(folios)s.")
            % {"crew": form.cleaned_data["crew"].code, "folios": ", ".join(assigned)},
        )
    for outcome in outcomes:
        if not outcome.ok:
            messages.error(
                request, _("%(folio)s not assigned: %(why)s") % {"folio": outcome.folio, "why": outcome.message}
            )
    return redirect(back or "asignaciones:board")
