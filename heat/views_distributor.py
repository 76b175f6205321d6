"""The Distributor page (its own data, coverage, contacts) and the Master page (its distributors)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from asignaciones.models import Order
from asignaciones.selectors import orders_visible_to
from asignaciones.sla import with_traffic_light
from asignaciones.views.access import DISTRIBUTOR_STAFF, MASTER_VIEWERS, OWNERS, portal_view
from heat.actions import DistributorActionError, update_distributor
from heat.forms import ContactFormSet, DistributorForm, contact_lines
from heat.tenancy import portal_role


@require_http_methods(["GET"])
@portal_view(DISTRIBUTOR_STAFF)
def distributor(request: HttpRequest) -> HttpResponse:
    role = portal_role(request.user)
    current = role.distributors().prefetch_related("contacts").select_related("master").get()
    return render(request, "heat/distributor.html", {"distributor": current, "is_owner": role.is_owner})


@require_http_methods(["GET", "POST"])
@portal_view(OWNERS)
def distributor_edit(request: HttpRequest) -> HttpResponse:
    current = portal_role(request.user).distributors().get()
    form = DistributorForm(request.POST or None, instance=current)
    contacts = ContactFormSet(request.POST or None, instance=current, prefix="contacts")
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        try:
            update_distributor(
                current,
                by=request.user,
                contacts=contact_lines(contacts),
                **{name: form.cleaned_data[name] for name in DistributorForm.Meta.fields},
            )
        except DistributorActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The distributor's data was saved."))
            return redirect("distributor")
    failed = request.method == "POST"
    return render(
        request,
        "heat/distributor_form.html",
        {"form": form, "contacts": contacts, "distributor": current},
        status=400 if failed else 200,
    )


@require_http_methods(["GET"])
@portal_view(MASTER_VIEWERS)
def master(request: HttpRequest) -> HttpResponse:
    """A master's distributors, read-only, with their open and red folios (the one colour rule)."""
    role = portal_role(request.user)
    counts = {
        row["distributor"]: row
        for row in with_traffic_light(orders_visible_to(request.user).filter(status__in=Order.OPEN_STATUSES))
        .values("distributor")
        .annotate(open=Count("pk"), red=Count("pk", filter=Q(light="red")), new=Count("pk", filter=Q(status="new")))
        .order_by()
    }
    distributors = list(role.distributors().annotate(crew_count=Count("crews")).order_by("name"))
    for item in distributors:
        row = counts.get(item.pk, {})
        item.open_count, item.red_count, item.new_count = row.get("open", 0), row.get("red", 0), row.get("new", 0)
    return render(request, "heat/master.html", {"distributors": distributors, "master": role.master})
