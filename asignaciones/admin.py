"""The back office's admin for orders, their audit trail, reasons, materials and policies.

An order's status never changes through a form here: the back office routes a new folio through
the add form (``actions.route_order``) and moves existing ones only through the admin actions,
which call ``asignaciones.actions`` folio by folio. The audit trail is read-only, and a policy
that changes is saved as a new version so that what earlier acknowledgements point at stays.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from asignaciones import actions, rules, sla
from asignaciones.models import (
    Action,
    Brand,
    LightAlert,
    Material,
    MaterialUsage,
    Order,
    OrderEvent,
    Policy,
    Reason,
    ServiceType,
    TechnicianRequest,
    VisitCheckIn,
    VisitPhoto,
)
from asignaciones.rules import OrderActionError
from cuadrillas.coverage import in_coverage, km_from_base
from facturacion.models import BillingLine
from heat.admin import ReadOnlyAdminMixin, SaveChangedFieldsMixin, short_datetime, short_datetime_column

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
# A bulk action acts on at most this many folios at once: each one is its own transaction.
MAX_FOLIOS_PER_ACTION = 500
# How many refusals are listed one by one before the rest are summed up.
MAX_REFUSALS_LISTED = 20

LIGHT_COLOURS = {
    sla.Light.GREEN: "#198754",
    sla.Light.YELLOW: "#e0a800",
    sla.Light.RED: "#dc3545",
    sla.Light.ON_TIME: "#6c757d",
    sla.Light.LATE: "#8a4b08",
    sla.Light.CLOSED: "#adb5bd",
}


def _detail_value(value: Any) -> str:
    if isinstance(value, list) and value and all(isinstance(item, dict) and "code" in item for item in value):
        # Material lines: "RG6 ×39, IRD-SD ×1 (R4621113576)".
        return ", ".join(
            f"{item['code']} ×{item.get('quantity', '')}"
            + (f" ({item['serial']})" if item.get("serial") else "")
            + (" ↩" if item.get("recovered") else "")
            for item in value
        )
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict) and "title" in value:
        return f"{value['title']} (v{value.get('version', '?')})"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    return str(value)


def event_details(data: dict[str, Any]) -> str:
    """An event's details, one "key: value" per line, readable without knowing JSON."""
    if not data:
        return "—"
    return format_html_join(
        mark_safe("<br>"), "<strong>{}</strong>: {}", ((key, _detail_value(value)) for key, value in data.items())
    )


def light_badge(light: str) -> str:
    light = sla.Light(light)
    return format_html(
        '<span class="heat-light" style="white-space:nowrap"><span style="color:{}">&#11044;</span> {}</span>',
        LIGHT_COLOURS[light],
        sla.LIGHT_LABELS[light],
    )


# --- catalogue -----------------------------------------------------------------------------------


@admin.register(Brand)
class BrandAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(ServiceType)
class ServiceTypeAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["code", "name", "sla_hours", "warning_hours", "recovers_equipment", "active"]
    list_filter = ["active", "recovers_equipment"]
    search_fields = ["code", "name"]


@admin.register(Reason)
class ReasonAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["label", "code", "action", "needs_other_folio", "active"]
    list_filter = ["action", "active"]
    search_fields = ["code", "label"]


@admin.register(Material)
class MaterialAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["code", "description", "unit", "serialized", "is_receiver", "brand_list", "active"]
    list_filter = ["active", "unit", "serialized", "is_receiver", "brands"]
    search_fields = ["code", "description"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("brands")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("brands"))
    def brand_list(self, obj: Material) -> str:
        return ", ".join(brand.name for brand in obj.brands.all())


# --- orders ----------------------------------------------------------------------------------------


class TrafficLightFilter(admin.SimpleListFilter):
    title = gettext_lazy("traffic light")
    parameter_name = "light"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return [(light.value, sla.LIGHT_LABELS[light]) for light in sla.Light]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]):
        if self.value() in {light.value for light in sla.Light}:
            # ``light`` is the annotation OrderAdmin.get_queryset adds (sla.with_traffic_light).
            return queryset.filter(light=self.value())
        return queryset


class OrderEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderEvent
    fields = ["when", "kind", "from_status", "to_status", "actor", "reason", "note", "details"]
    readonly_fields = fields
    extra = 0
    ordering = ["at", "id"]
    verbose_name_plural = gettext_lazy("audit trail")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("actor", "reason")

    @admin.display(description=gettext_lazy("when"))
    def when(self, event: OrderEvent) -> str:
        return short_datetime(event.at)

    @admin.display(description=gettext_lazy("details"))
    def details(self, event: OrderEvent) -> str:
        return event_details(event.data)


class MaterialUsageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MaterialUsage
    fields = ["material", "quantity", "serial_number", "recovered"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("material")


class BillingLineInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = BillingLine
    fields = [("commission", "mileage_km", "mileage_amount"), ("days_late", "penalty", "total"), "completed_at"]
    readonly_fields = ["commission", "mileage_km", "mileage_amount", "days_late", "penalty", "total", "completed_at"]
    extra = 0


class VisitCheckInInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = VisitCheckIn
    fields = [("at", "technician"), ("latitude", "longitude"), ("accuracy_m", "distance_m")]
    readonly_fields = ["at", "technician", "latitude", "longitude", "accuracy_m", "distance_m"]
    extra = 0

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("technician")


class VisitPhotoInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VisitPhoto
    fields = ["image", "uploaded_by", "uploaded_at", "content_type", "size"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("uploaded_by")


class TechnicianRequestInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TechnicianRequest
    fields = ["kind", "status", "requested_by", "requested_at", "reason", "proposed_date", "decided_by", "decided_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("requested_by", "reason", "decided_by")


ROUTING_FIELDS = ["folio", "service_request", "distributor", "brand", "service_type", "priority"]
CUSTOMER_FIELDS = ["customer_name", "customer_phone", "account_number", "package"]
ADDRESS_FIELDS = [
    "street",
    ("exterior_number", "interior_number"),
    "between_streets",
    "neighborhood",
    "municipality",
    ("city", "state"),
    "postal_code",
    "references",
    ("latitude", "longitude"),
]
APPOINTMENT_FIELDS = ["appointment_date", "appointment_window"]
LIFE_FIELDS = [
    "status",
    "light",
    "crew",
    ("routed_at", "deadline"),
    ("assigned_at", "started_at", "closed_at"),
    ("appointment_date", "appointment_window", "reschedule_count"),
]
CLOSING_FIELDS = [
    ("solution_code_1", "solution_code_2", "solution_code_3"),
    "solution_comments",
    ("closing_latitude", "closing_longitude"),
]


class OrderAddForm(forms.ModelForm):
    """The folio the back office routes by hand. ``refusal`` carries route_order's refusal when
    the form is shown again after it (see OrderAdmin.changeform_view)."""

    refusal = ""

    class Meta:
        model = Order
        fields = [
            *ROUTING_FIELDS,
            *CUSTOMER_FIELDS,
            *[name for field in ADDRESS_FIELDS for name in (field if isinstance(field, tuple) else [field])],
            *APPOINTMENT_FIELDS,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("appointment_date")) != bool(cleaned.get("appointment_window")):
            raise forms.ValidationError(_("Give both the appointment date and its window, or neither."))
        if self.refusal:
            raise forms.ValidationError(self.refusal)
        return cleaned


def _flatten(fields: list) -> list[str]:
    flat: list[str] = []
    for field in fields:
        flat.extend(field if isinstance(field, tuple) else [field])
    return flat


# What the back office may still correct on an open order: customer and address data. Status,
# crew, type, dates and closing data change only through the actions.
EDITABLE_ON_OPEN_ORDERS = [
    "service_request",
    "priority",
    *CUSTOMER_FIELDS,
    *_flatten(ADDRESS_FIELDS),
]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "folio",
        "light_column",
        "status",
        "distributor",
        "brand_and_type",
        "crew_code",
        "priority_number",
        "customer_name",
        "deadline_column",
        "routed_column",
    ]
    list_filter = [
        "status",
        TrafficLightFilter,
        "distributor",
        "brand",
        "service_type",
        "priority",
        "appointment_window",
    ]
    search_fields = ["folio", "service_request", "customer_name", "customer_phone", "account_number"]
    search_help_text = gettext_lazy("Folio, service request, account holder, phone or account.")
    list_select_related = ["distributor", "brand", "service_type", "crew"]
    autocomplete_fields = ["distributor", "crew"]
    date_hierarchy = "routed_at"
    # Newest first by id (ids are given as folios are routed): the primary key's index serves
    # the first page at once, where sorting hundreds of thousands of folios by date would not.
    ordering = ["-id"]
    show_full_result_count = False  # one count of the whole table less per page
    list_per_page = 50
    inlines = [
        VisitCheckInInline,
        BillingLineInline,
        MaterialUsageInline,
        VisitPhotoInline,
        TechnicianRequestInline,
        OrderEventInline,
    ]
    actions = ["cancel_selected", "unassign_selected"]

    def get_queryset(self, request: HttpRequest):
        return sla.with_traffic_light(super().get_queryset(request))

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Order], search_term: str):
        folio = search_term.strip()
        if folio and Order.objects.filter(folio=folio).exists():
            return queryset.filter(folio=folio), False  # an exact folio: its unique index finds it
        return super().get_search_results(request, queryset, search_term)

    def get_inlines(self, request: HttpRequest, obj: Order | None):
        """The sections this folio has something in: none while it is routed, the visit once
        started, billing and material once completed, photos and requests when there are any."""
        if obj is None:
            return []
        shown: list[type] = []
        if obj.started_at is not None:
            shown.append(VisitCheckInInline)
        if obj.status == Order.Status.COMPLETED:
            shown += [BillingLineInline, MaterialUsageInline]
        if obj.photos.exists():
            shown.append(VisitPhotoInline)
        if obj.requests.exists():
            shown.append(TechnicianRequestInline)
        return [*shown, OrderEventInline]

    # The add form routes a folio; the change form shows it and lets the customer data be fixed.

    def get_form(self, request: HttpRequest, obj: Order | None = None, **kwargs: Any):
        if obj is None:
            kwargs["form"] = type(
                "OrderAddForm", (OrderAddForm,), {"refusal": getattr(request, "heat_routing_refusal", "")}
            )
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Order | None = None):
        if obj is None:
            return [
                (None, {"fields": ROUTING_FIELDS}),
                (_("Customer"), {"fields": CUSTOMER_FIELDS}),
                (_("Address"), {"fields": ADDRESS_FIELDS}),
                (
                    _("Appointment"),
                    {
                        "fields": APPOINTMENT_FIELDS,
                        "description": _(
                            "Optional. Without an appointment the deadline is the routing time plus the type's SLA."
                        ),
                    },
                ),
            ]
        return [
            (None, {"fields": ROUTING_FIELDS}),
            (_("Status and dates"), {"fields": LIFE_FIELDS}),
            (_("Customer"), {"fields": CUSTOMER_FIELDS}),
            (_("Address"), {"fields": [*ADDRESS_FIELDS, "coverage"]}),
            (_("Visit closing"), {"fields": CLOSING_FIELDS, "classes": ["collapse"] if obj.is_open else []}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None):
        if obj is None:
            return []
        every_field = [*_flatten(ROUTING_FIELDS), *_flatten(LIFE_FIELDS), *CUSTOMER_FIELDS]
        every_field += [*_flatten(ADDRESS_FIELDS), "coverage", *_flatten(CLOSING_FIELDS)]
        editable = EDITABLE_ON_OPEN_ORDERS if obj.is_open else []
        return [name for name in every_field if name not in editable]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service_type":
            kwargs["queryset"] = ServiceType.objects.filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False  # an order's audit trail must stay whole; cancel or reject it instead

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OrderActionError as refusal:
            if object_id is not None or request.method != "POST":
                raise
            # route_order refused the folio and the admin's transaction rolled back: show the
            # form again, as the user filled it in, with the reason as a form error.
            request.heat_routing_refusal = refusal.message
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Order, form, change: bool) -> None:
        if change:
            changed = [name for name in form.changed_data if name in EDITABLE_ON_OPEN_ORDERS]
            if changed:
                obj.save(update_fields=changed)
            return
        data = form.cleaned_data
        optional = {
            name: data[name]
            for name in [*_flatten(ROUTING_FIELDS), *CUSTOMER_FIELDS, *_flatten(ADDRESS_FIELDS), *APPOINTMENT_FIELDS]
            if name in data and name not in ("folio", "distributor", "brand", "service_type")
        }
        order = actions.route_order(
            folio=data["folio"],
            distributor=data["distributor"],
            brand=data["brand"],
            service_type=data["service_type"],
            by=request.user,
            **optional,
        )
        # The admin goes on with ``obj`` (history entry, redirect): make it the routed row.
        for field in Order._meta.concrete_fields:
            setattr(obj, field.attname, getattr(order, field.attname))
        obj._state.adding = False
        obj._state.db = order._state.db

    # Columns and read-only displays

    @admin.display(description=gettext_lazy("traffic light"), ordering="deadline")
    def light_column(self, obj: Order) -> str:
        return light_badge(obj.light)

    @admin.display(description=gettext_lazy("traffic light"))
    def light(self, obj: Order) -> str:
        return light_badge(getattr(obj, "light", None) or sla.light_of(obj))

    @admin.display(description=gettext_lazy("crew"), ordering="crew__code")
    def crew_code(self, obj: Order) -> str:
        return obj.crew.code if obj.crew else "—"

    @admin.display(description=gettext_lazy("deadline"), ordering="deadline")
    def deadline_column(self, obj: Order) -> str:
        return short_datetime(obj.deadline)

    @admin.display(description=gettext_lazy("routed at"), ordering="routed_at")
    def routed_column(self, obj: Order) -> str:
        return short_datetime(obj.routed_at)

    @admin.display(description=gettext_lazy("brand and type"), ordering="service_type__code")
    def brand_and_type(self, obj: Order) -> str:
        return format_html(
            '<span title="{}">{} · {}</span>', obj.service_type.name, obj.brand.name, obj.service_type.code
        )

    @admin.display(description=gettext_lazy("priority"), ordering="priority")
    def priority_number(self, obj: Order) -> str:
        return format_html('<span title="{}">{}</span>', obj.get_priority_display(), obj.priority)

    @admin.display(description=gettext_lazy("coverage"))
    def coverage(self, obj: Order) -> str:
        km = km_from_base(obj.distributor, obj.latitude, obj.longitude)
        inside = in_coverage(
            obj.distributor, postal_code=obj.postal_code, latitude=obj.latitude, longitude=obj.longitude
        )
        label = _("Inside the coverage area") if inside else _("Outside the coverage area")
        return _("%(label)s · %(km).1f km from the distributor's base") % {"label": label, "km": km}

    # Status changes: admin actions that call asignaciones.actions, one folio at a time.

    def _selected_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> list[Order] | None:
        orders = list(
            queryset.select_related("service_type", "distributor", "crew").order_by("folio")[
                : MAX_FOLIOS_PER_ACTION + 1
            ]
        )
        if len(orders) > MAX_FOLIOS_PER_ACTION:
            self.message_user(
                request,
                _("Select at most %(count)d folios at a time.") % {"count": MAX_FOLIOS_PER_ACTION},
                messages.ERROR,
            )
            return None
        return orders

    def _report(
        self, request: HttpRequest, done: list[Order], refused: list[tuple[Order, str]], *, done_message: str
    ) -> None:
        if done:
            folios = ", ".join(order.folio for order in done)
            self.message_user(request, done_message % {"count": len(done), "folios": folios}, messages.SUCCESS)
        for order, reason in refused[:MAX_REFUSALS_LISTED]:
            self.message_user(
                request,
                _("Folio %(folio)s was left as it was: %(reason)s") % {"folio": order.folio, "reason": reason},
                messages.ERROR,
            )
        if len(refused) > MAX_REFUSALS_LISTED:
            rest = len(refused) - MAX_REFUSALS_LISTED
            self.message_user(
                request,
                ngettext(
                    "And %(count)d more folio was refused.",
                    "And %(count)d more folios were refused.",
                    rest,
                )
                % {"count": rest},
                messages.ERROR,
            )

    @admin.action(
        description=gettext_lazy("Cancel selected folios"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        orders = self._selected_orders(request, queryset)
        if orders is None:
            return None
        # The policy in force for each folio's type, as shown on the confirmation page.
        policies = {
            service_type.pk: rules.policy_for(Action.CANCEL, service_type)
            for service_type in {order.service_type for order in orders}
        }
        shown = sorted({policy for policy in policies.values() if policy is not None}, key=lambda p: p.pk)
        if "apply" in request.POST:
            form = CancelOrdersForm(request.POST, policies=shown)
            if form.is_valid():
                acknowledged_ids = form.acknowledged_policy_ids()
                done: list[Order] = []
                refused: list[tuple[Order, str]] = []
                for order in orders:
                    policy = policies[order.service_type_id]
                    # The user acknowledged the policies the page showed; if one changed since,
                    # the action refuses and asks to read it again.
                    acknowledged = policy if policy is not None and policy.pk in acknowledged_ids else None
                    try:
                        actions.cancel(
                            order,
                            reason=form.cleaned_data["reason"],
                            by=request.user,
                            other_folio=form.cleaned_data["other_folio"],
                            acknowledged_policy=acknowledged,
                            note=form.cleaned_data["note"],
                        )
                    except OrderActionError as refusal:
                        refused.append((order, refusal.message))
                    else:
                        done.append(order)
                self._report(
                    request,
                    done,
                    refused,
                    done_message=ngettext(
                        "Folio %(folios)s was cancelled.",
                        "%(count)d folios were cancelled: %(folios)s.",
                        len(done),
                    ),
                )
                return None
        else:
            form = CancelOrdersForm(policies=shown)
        return self._confirmation_page(
            request,
            orders,
            form,
            action="cancel_selected",
            title=_("Cancel folios"),
            template="admin/asignaciones/order/cancel_selected.html",
            extra={"policies": shown},
        )

    @admin.action(
        description=gettext_lazy("Unassign selected folios"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def unassign_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        orders = self._selected_orders(request, queryset)
        if orders is None:
            return None
        if "apply" in request.POST:
            form = NoteForm(request.POST)
            if form.is_valid():
                done: list[Order] = []
                refused: list[tuple[Order, str]] = []
                for order in orders:
                    try:
                        actions.unassign(order, by=request.user, note=form.cleaned_data["note"])
                    except OrderActionError as refusal:
                        refused.append((order, refusal.message))
                    else:
                        done.append(order)
                self._report(
                    request,
                    done,
                    refused,
                    done_message=ngettext(
                        "Folio %(folios)s went back to the distributor's folios to assign.",
                        "%(count)d folios went back to the distributor's folios to assign: %(folios)s.",
                        len(done),
                    ),
                )
                return None
        else:
            form = NoteForm()
        return self._confirmation_page(
            request,
            orders,
            form,
            action="unassign_selected",
            title=_("Unassign folios"),
            template="admin/asignaciones/order/unassign_selected.html",
        )

    def _confirmation_page(
        self,
        request: HttpRequest,
        orders: list[Order],
        form: forms.Form,
        *,
        action: str,
        title: str,
        template: str,
        extra: dict[str, Any] | None = None,
    ) -> TemplateResponse:
        # The action came from the change list or from one folio's change form (Django 6.1);
        # the confirmation posts back to the same page under the same action field.
        from_change_form = f"{ActionLocation.CHANGE_FORM.value}-action" in request.POST
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "orders": orders,
            "form": form,
            "action_name": action,
            "action_field": f"{ActionLocation.CHANGE_FORM.value}-action" if from_change_form else "action",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0") if not from_change_form else "0",
            "media": self.media + form.media,
            **(extra or {}),
        }
        return TemplateResponse(request, template, context)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Saved in each folio's audit trail."),
    )


class CancelOrdersForm(NoteForm):
    reason = forms.ModelChoiceField(
        label=gettext_lazy("reason"), queryset=Reason.objects.none(), empty_label=None, required=True
    )
    other_folio = forms.CharField(
        label=gettext_lazy("duplicate of folio"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Only for duplicates: the folio of the same distributor that stays."),
    )
    acknowledged = forms.BooleanField(label=gettext_lazy("I have read the policy shown above."), required=False)
    policy_ids = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["reason", "other_folio", "note", "acknowledged", "policy_ids"]

    def __init__(self, *args: Any, policies: list[Policy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = Reason.objects.filter(action=Action.CANCEL, active=True)
        self.fields["policy_ids"].initial = ",".join(str(policy.pk) for policy in policies)
        self.fields["acknowledged"].required = any(policy.requires_acknowledgement for policy in policies)
        if len(policies) > 1:
            self.fields["acknowledged"].label = gettext_lazy("I have read the policies shown above.")

    def acknowledged_policy_ids(self) -> set[int]:
        if not self.cleaned_data.get("acknowledged"):
            return set()
        return {int(pk) for pk in self.cleaned_data.get("policy_ids", "").split(",") if pk.strip().isdigit()}


# --- the audit trail and the material declared -------------------------------------------------------


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail: append-only (a database trigger refuses updates and deletes as well)."""

    list_display = ["when", "order", "kind", "from_status", "to_status", "actor", "reason", "note"]
    list_filter = ["kind", "to_status", "order__distributor"]
    search_fields = ["order__folio", "note", "actor__username"]
    search_help_text = gettext_lazy("Folio, note or username.")
    list_select_related = ["order", "actor", "reason"]
    # The trail grows by millions of rows: newest first on the index of ``at``, no date
    # hierarchy (its list of months reads the whole table) and no unfiltered total.
    ordering = ["-at"]
    show_full_result_count = False
    list_per_page = 100

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[OrderEvent], search_term: str):
        folio = search_term.strip()
        if folio and Order.objects.filter(folio=folio).exists():
            return queryset.filter(order__folio=folio), False  # one folio's trail
        return super().get_search_results(request, queryset, search_term)

    readonly_fields = ["order", "at", "kind", "from_status", "to_status", "actor", "reason", "note", "details"]
    fields = readonly_fields

    @admin.display(description=gettext_lazy("when"), ordering="at")
    def when(self, event: OrderEvent) -> str:
        return short_datetime(event.at)

    @admin.display(description=gettext_lazy("details"))
    def details(self, event: OrderEvent) -> str:
        return format_html(
            "{}<details><summary>JSON</summary><pre>{}</pre></details>",
            event_details(event.data),
            json.dumps(event.data, ensure_ascii=False, indent=2),
        )


@admin.register(MaterialUsage)
class MaterialUsageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Declared by the technician when the order is completed: read-only here."""

    list_display = ["order", "material", "quantity", "serial_number", "recovered", "distributor"]
    list_filter = ["recovered", "material", "order__distributor"]
    search_fields = ["order__folio", "serial_number", "material__code"]
    list_select_related = ["order__distributor", "material"]

    @admin.display(description=gettext_lazy("distributor"), ordering="order__distributor__name")
    def distributor(self, usage: MaterialUsage) -> str:
        return str(usage.order.distributor)


# --- policies: a change is a new version ------------------------------------------------------------

# Saving a change to any of these makes a new version: earlier acknowledgements (in the events'
# details) name the version that was read, and that row must keep saying what it said.
VERSIONED_POLICY_FIELDS = ["title", "document", "rules", "requires_acknowledgement"]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "action",
        "service_type",
        "version",
        short_datetime_column(Policy, "effective_from"),
        "requires_acknowledgement",
        "document_link",
        "active",
    ]
    list_filter = ["action", "active", "service_type"]
    search_fields = ["title"]
    list_select_related = ["service_type"]

    def get_fieldsets(self, request: HttpRequest, obj: Policy | None = None):
        return [
            (None, {"fields": ["action", "service_type", "version", "title", "document"]}),
            (
                _("Rules"),
                {
                    "fields": ["rules", "requires_acknowledgement", "effective_from", "active"],
                    "description": _(
                        "Rule values by action, all optional: reschedule: max_reschedules, max_days_ahead; "
                        'reject: window_hours; complete: material_limits {"material code": max quantity}.'
                    ),
                },
            ),
            (
                _("Versions"),
                {
                    "fields": ["versions"] if obj is not None else [],
                    "description": _(
                        "Saving a change to the title, the PDF, the rule values or the acknowledgement "
                        "requirement creates a new version (version + 1) and keeps this one as it is, because "
                        "the acknowledgements already given name this version. The new version applies from its "
                        "effective date; the previous one is deactivated once the new one is in force. Changing "
                        "only the dates or the active flag edits this version."
                    ),
                },
            ),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Policy | None = None):
        if obj is None:
            return ["version"]
        return ["action", "service_type", "version", "versions"]

    @admin.display(description=gettext_lazy("every version"))
    def versions(self, policy: Policy) -> str:
        family = Policy.objects.filter(action=policy.action, service_type=policy.service_type).order_by("-version")
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">v{} · {}</a> · {} {}',
            (
                (
                    reverse("admin:asignaciones_policy_change", args=[version.pk]),
                    version.version,
                    version.title,
                    short_datetime(version.effective_from),
                    _("(active)") if version.active else _("(inactive)"),
                )
                for version in family
            ),
        )

    def has_delete_permission(self, request: HttpRequest, obj: Policy | None = None) -> bool:
        return False  # acknowledged versions are evidence; deactivate a policy instead

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Policy, form, change: bool) -> None:
        if not change:
            obj.version = self._next_version(obj)
            obj.save()
            return
        versioned = [name for name in form.changed_data if name in VERSIONED_POLICY_FIELDS]
        if not versioned:
            changed = [name for name in form.changed_data if name in ("effective_from", "active")]
            if changed:
                obj.save(update_fields=changed)
            return
        previous_pk = obj.pk
        obj.pk = None
        obj._state.adding = True
        obj.version = self._next_version(obj)
        obj.active = True
        obj.save()
        if obj.effective_from <= timezone.now():
            Policy.objects.filter(pk=previous_pk).update(active=False)
        self.message_user(
            request,
            _("Saved as version %(version)s; the previous version stays unchanged for the acknowledgements it has.")
            % {"version": obj.version},
            messages.INFO,
        )

    @staticmethod
    def _next_version(policy: Policy) -> int:
        # Lock the family's rows so two back-office users saving at once cannot take one number.
        family = (
            Policy.objects.select_for_update()
            .filter(action=policy.action, service_type=policy.service_type)
            .order_by()  # the default ordering joins the order type, which FOR UPDATE refuses
        )
        return max(family.values_list("version", flat=True), default=0) + 1

    @admin.display(description=gettext_lazy("PDF"))
    def document_link(self, policy: Policy) -> str:
        if not policy.document:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', policy.document.url, _("open"))


# --- the visit: check-ins, photos, technicians' requests, traffic-light alerts ----------------------


@admin.register(VisitCheckIn)
class VisitCheckInAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Control de visitas: where the technician's phone was at the check-in."""

    list_display = [
        "order",
        "technician",
        short_datetime_column(VisitCheckIn, "at"),
        "distance_m",
        "accuracy_m",
        "distributor",
    ]
    list_filter = ["order__distributor"]
    search_fields = ["order__folio", "technician__username", "technician__first_name", "technician__last_name"]
    list_select_related = ["order__distributor", "technician"]
    date_hierarchy = "at"

    @admin.display(description=gettext_lazy("distributor"), ordering="order__distributor__name")
    def distributor(self, check_in: VisitCheckIn) -> str:
        return str(check_in.order.distributor)


@admin.register(VisitPhoto)
class VisitPhotoAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["order", "uploaded_by", short_datetime_column(VisitPhoto, "uploaded_at"), "content_type", "size"]
    list_filter = ["content_type"]
    search_fields = ["order__folio", "uploaded_by__username"]
    list_select_related = ["order", "uploaded_by"]
    date_hierarchy = "uploaded_at"


@admin.register(TechnicianRequest)
class TechnicianRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Decided by the distributor in the portal (which runs the order action); read-only here."""

    list_display = [
        "order",
        "kind",
        "status",
        "requested_by",
        short_datetime_column(TechnicianRequest, "requested_at"),
        "decided_by",
        short_datetime_column(TechnicianRequest, "decided_at"),
    ]
    list_filter = ["kind", "status", "order__distributor"]
    search_fields = ["order__folio", "requested_by__username", "other_folio"]
    list_select_related = ["order", "requested_by", "decided_by"]
    date_hierarchy = "requested_at"


@admin.register(LightAlert)
class LightAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["order", "colour", short_datetime_column(LightAlert, "at"), "distributor"]
    list_filter = ["colour", "order__distributor"]
    search_fields = ["order__folio"]
    list_select_related = ["order__distributor"]
    date_hierarchy = "at"

    @admin.display(description=gettext_lazy("distributor"), ordering="order__distributor__name")
    def distributor(self, alert: LightAlert) -> str:
        return str(alert.order.distributor)
