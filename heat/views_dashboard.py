"""The traffic-light dashboard (gráfica): the home page of distributors, masters and the back office."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from asignaciones.models import Brand, ServiceType
from heat import charts
from heat.dashboard import DashboardFilters, build_dashboard, closing_legend, light_legend
from heat.tenancy import portal_role


class DashboardFilterForm(forms.Form):
    """GET filters. The distributor choice exists only for roles that see several, and offers
    only those: another distributor's id is an invalid choice, like one that does not exist."""

    distributor = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Distributor"), empty_label=pgettext_lazy("filter", "All")
    )
    service_type = forms.ModelChoiceField(
        queryset=ServiceType.objects.all(),
        required=False,
        label=_("Order type"),
        empty_label=pgettext_lazy("filter", "All"),
    )
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.all(), required=False, label=_("Brand"), empty_label=pgettext_lazy("filter", "All")
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        role = portal_role(user)
        columns = ["service_type", "brand"]
        if role.is_distributor_staff:
            del self.fields["distributor"]
        else:
            self.fields["distributor"].queryset = role.distributors()
            columns.insert(0, "distributor")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.form_class = "dashboard-filters"
        self.helper.layout = Layout(
            Row(
                *(Column(name, css_class="col-12 col-sm") for name in columns),
                Column(Submit("", _("Filter"), css_class="btn-sm w-100"), css_class="col-12 col-sm-auto mb-3"),
                css_class="align-items-end g-2",
            )
        )

    def filters(self) -> DashboardFilters:
        if not self.is_valid():
            return DashboardFilters()
        data = self.cleaned_data
        return DashboardFilters(
            distributor=data.get("distributor"), service_type=data.get("service_type"), brand=data.get("brand")
        )


def _may_see_dashboard(user) -> bool:
    role = portal_role(user)
    return role.is_distributor_staff or role.is_master or role.is_back_office


def _context(request: HttpRequest) -> dict:
    if not _may_see_dashboard(request.user):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None, user=request.user)
    board = build_dashboard(request.user, form.filters())
    crew_scale = max((row.total for row in board.by_crew), default=0)
    type_scale = max((row.total for row in board.by_type), default=0)
    return {
        "form": form,
        "board": board,
        "query": request.GET.urlencode(),
        "light_legend": light_legend(),
        "closing_legend": closing_legend(),
        "hatch_defs": charts.hatch_defs(),
        "crew_bars": [(row, charts.stacked_bar(row, crew_scale)) for row in board.by_crew],
        "type_bars": [(row, charts.stacked_bar(row, type_scale)) for row in board.by_type],
        "closings_chart": charts.closings_chart(board.closings),
    }


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "heat/dashboard.html", _context(request))


@require_GET
@login_required
def dashboard_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's body alone, which the page polls every minute (htmx) to refresh itself."""
    return render(request, "heat/partials/dashboard_panel.html", _context(request))
