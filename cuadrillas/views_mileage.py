"""Mileage (kilometraje): totals per distributor and period, a crew's day as a route, the CSV
export and the map. Read-only pages: GET only."""

from __future__ import annotations

import csv
import datetime as dt
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from asignaciones.sla import LIGHT_LABELS
from cuadrillas import mileage
from cuadrillas.selectors import crews_visible_to
from heat.models import Distributor
from heat.tenancy import portal_role

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _may_see_mileage(user) -> bool:
    role = portal_role(user)
    return role.is_distributor_staff or role.is_master or role.is_back_office


def _zone_of(user, distributor: Distributor | None) -> ZoneInfo:
    """Whose calendar "today" is: the distributor in view, else the project's zone."""
    distributor = distributor or portal_role(user).distributor
    return distributor.zone if distributor is not None else ZoneInfo(settings.TIME_ZONE)


def _helper(*fields: str) -> FormHelper:
    helper = FormHelper()
    helper.form_method = "get"
    helper.disable_csrf = True
    helper.layout = Layout(
        Row(
            # Dates side by side even on a phone; the distributor takes a line of its own there.
            *(Column(name, css_class="col-12 col-sm" if name == "distributor" else "col-6 col-sm") for name in fields),
            Column(Submit("", gettext_lazy("Show"), css_class="btn-sm w-100"), css_class="col-12 col-sm-auto mb-3"),
            css_class="align-items-end g-2",
        )
    )
    return helper


class DistributorFilterMixin(forms.Form):
    """A distributor choice for roles that see several, offering only theirs."""

    distributor = forms.ModelChoiceField(
        queryset=Distributor.objects.none(),
        required=False,
        label=gettext_lazy("Distributor"),
        empty_label=pgettext_lazy("filter", "All"),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        role = portal_role(user)
        if role.is_distributor_staff:
            del self.fields["distributor"]
        else:
            self.fields["distributor"].queryset = role.distributors()

    def chosen_distributor(self) -> Distributor | None:
        return self.cleaned_data.get("distributor") if self.is_valid() else None

    def today(self) -> dt.date:
        return timezone.now().astimezone(_zone_of(self.user, self.chosen_distributor())).date()


class PeriodForm(DistributorFilterMixin):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(*self.fields)
        if not self.is_bound:
            today = self.today()
            self.initial.update(date_from=today.replace(day=1), date_to=today)

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The start of the period must not be after its end."))
            if (last - first).days >= mileage.MAX_PERIOD_DAYS:
                raise forms.ValidationError(
                    _("Choose a period of at most %(days)s days.") % {"days": mileage.MAX_PERIOD_DAYS}
                )
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen period; by default the current month up to today."""
        today = self.today()
        first, last = today.replace(day=1), today
        if self.is_valid():
            first = self.cleaned_data.get("date_from") or first
            last = self.cleaned_data.get("date_to") or max(first, last)
            if first > last or (last - first).days >= mileage.MAX_PERIOD_DAYS:
                first, last = today.replace(day=1), today
        return first, last


class DayForm(DistributorFilterMixin):
    day = forms.DateField(label=gettext_lazy("Day"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, crew=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.crew = crew
        if crew is not None and "distributor" in self.fields:
            del self.fields["distributor"]  # the crew names its distributor
        self.helper = _helper(*self.fields)
        if not self.is_bound:
            self.initial["day"] = self.today()

    def today(self) -> dt.date:
        if self.crew is not None:
            return timezone.now().astimezone(self.crew.distributor.zone).date()
        return super().today()

    def chosen_day(self) -> dt.date:
        """The chosen day; by default today in the distributor's zone."""
        if self.is_valid() and self.cleaned_data.get("day"):
            return self.cleaned_data["day"]
        return self.today()


def _check_role(request: HttpRequest) -> None:
    if not _may_see_mileage(request.user):
        raise PermissionDenied


@require_GET
@login_required
def mileage_totals(request: HttpRequest) -> HttpResponse:
    _check_role(request)
    form = PeriodForm(request.GET or None, user=request.user)
    first, last = form.period()
    distributor = form.chosen_distributor()
    totals = mileage.mileage_by_distributor(request.user, first, last, distributor=distributor)
    crews = crews_visible_to(request.user).select_related("distributor").order_by("distributor__name", "code")
    if distributor is not None:
        crews = crews.filter(distributor=distributor)
    return render(
        request,
        "cuadrillas/mileage.html",
        {
            "form": form,
            "crews": crews,
            "first": first,
            "last": last,
            "totals": totals,
            "multi": len(totals) > 1,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@login_required
def mileage_crew_day(request: HttpRequest, crew_id: int) -> HttpResponse:
    _check_role(request)
    crew = get_object_or_404(crews_visible_to(request.user).select_related("distributor"), pk=crew_id)
    form = DayForm(request.GET or None, user=request.user, crew=crew)
    day = form.chosen_day()
    route = mileage.crew_day(crew, day)
    return render(
        request,
        "cuadrillas/mileage_crew_day.html",
        {
            "form": form,
            "crew": crew,
            "day": day,
            "route": route,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "light_labels": LIGHT_LABELS,
        },
    )


@require_GET
@login_required
def mileage_csv(request: HttpRequest) -> HttpResponse:
    """Every visit of the period as a CSV row (Excel opens it: UTF-8 with BOM)."""
    _check_role(request)
    form = PeriodForm(request.GET or None, user=request.user)
    first, last = form.period()
    totals = mileage.mileage_by_distributor(request.user, first, last, distributor=form.chosen_distributor())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kilometraje_{first:%Y%m%d}_{last:%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Distributor"),
            _("Crew"),
            _("Day"),
            _("Stop"),
            _("Folio"),
            _("Status"),
            _("Postal code"),
            _("Km from the base"),
            _("Km from the previous stop"),
            _("Inside the coverage"),
            _("Extra km"),
        ]
    )
    for entry in totals:
        for day in entry.crew_days:
            for visit in day.visits:
                order = visit.order
                writer.writerow(
                    [
                        entry.distributor.name,
                        day.crew.code,
                        day.day.isoformat(),
                        visit.position,
                        order.folio,
                        order.get_status_display(),
                        order.postal_code,
                        f"{visit.km_from_base:.1f}",
                        f"{visit.leg_km:.1f}",
                        _("yes") if visit.in_coverage else _("no"),
                        f"{visit.extra_km:.1f}",
                    ]
                )
            writer.writerow(
                [
                    entry.distributor.name,
                    day.crew.code,
                    day.day.isoformat(),
                    _("Back to the base"),
                    "",
                    "",
                    "",
                    "",
                    f"{day.return_km:.1f}",
                    "",
                    "",
                ]
            )
    return response


@require_GET
@login_required
def mileage_map(request: HttpRequest) -> HttpResponse:
    """The crews' bases, the day's folios coloured by traffic light, the crews' routes and the
    coverage areas. The markers are drawn from data on the page, so they show without tiles."""
    _check_role(request)
    form = DayForm(request.GET or None, user=request.user)
    day = form.chosen_day()
    distributor = form.chosen_distributor()
    crews = crews_visible_to(request.user).filter(active=True).select_related("distributor")
    distributors = portal_role(request.user).distributors().order_by("name")
    if distributor is not None:
        crews = crews.filter(distributor=distributor)
        distributors = distributors.filter(pk=distributor.pk)
    orders = list(mileage.map_orders(request.user, day, distributor=distributor)[:2000])
    routes = mileage.day_routes(request.user, day, distributor=distributor)
    distributors = list(distributors)
    data = {
        "tiles": settings.MAP_TILE_URL,
        "bases": [
            {"code": c.code, "name": c.name, "lat": float(c.base_latitude), "lon": float(c.base_longitude)}
            for c in crews
        ],
        "orders": [
            {
                "folio": o.folio,
                "lat": float(o.latitude),
                "lon": float(o.longitude),
                "light": o.light,
                "label": str(LIGHT_LABELS[o.light]),
                "crew": o.crew.code if o.crew else "",
                "type": o.service_type.code,
                "postal_code": o.postal_code,
                "in_coverage": bool(o.in_coverage),
            }
            for o in orders
        ],
        "routes": [
            [[float(d.crew.base_latitude), float(d.crew.base_longitude)]]
            + [[float(v.order.latitude), float(v.order.longitude)] for v in d.visits]
            + [[float(d.crew.base_latitude), float(d.crew.base_longitude)]]
            for d in routes
        ],
        "areas": [
            {
                "name": d.name,
                "lat": float(d.base_latitude),
                "lon": float(d.base_longitude),
                "radius_km": float(d.coverage_radius_km) if d.coverage_radius_km else None,
            }
            for d in distributors
        ],
        "texts": {"base": _("Base"), "outside": _("outside the coverage")},
    }
    return render(
        request,
        "cuadrillas/map.html",
        {
            "form": form,
            "day": day,
            "map_data": data,
            "orders": orders,
            "distributors": distributors,
            "light_labels": LIGHT_LABELS,
        },
    )
