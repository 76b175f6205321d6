"""The back office's admin for crews and technicians.

Technicians' credentials are the company's: the back office creates each technician's user here,
in the same form as the technician row (or picks an existing user).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cuadrillas.models import Crew, StockMovement, Technician
from heat.admin import (
    NEW_USER_FIELDSET,
    NewUserFormMixin,
    ReadOnlyAdminMixin,
    SaveChangedFieldsMixin,
    short_datetime_column,
)


class TechnicianInline(admin.TabularInline):
    model = Technician
    fields = ["user", "employee_number", "phone", "active"]
    autocomplete_fields = ["user"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user")


@admin.register(Crew)
class CrewAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["code", "name", "distributor", "brand_list", "type_list", "daily_capacity", "active"]
    list_display_links = ["code", "name"]
    list_filter = ["active", "distributor", "brands", "service_types"]
    search_fields = ["code", "name", "distributor__name", "distributor__code"]
    list_select_related = ["distributor"]
    autocomplete_fields = ["distributor"]
    inlines = [TechnicianInline]
    fieldsets = [
        (None, {"fields": ["distributor", "code", "name", "active"]}),
        (_("Base"), {"fields": [("base_latitude", "base_longitude")]}),
        (_("What the crew does"), {"fields": ["brands", "service_types", "daily_capacity"]}),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("brands", "service_types")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("brands served"))
    def brand_list(self, obj: Crew) -> str:
        return ", ".join(brand.name for brand in obj.brands.all())

    @admin.display(description=_("order types served"))
    def type_list(self, obj: Crew) -> str:
        return ", ".join(service_type.code for service_type in obj.service_types.all())


class TechnicianAddForm(NewUserFormMixin, forms.ModelForm):
    class Meta:
        model = Technician
        fields = ["user", "crew", "employee_number", "phone", "active"]


@admin.register(Technician)
class TechnicianAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["full_name", "username", "employee_number", "crew", "distributor", "phone", "active"]
    list_display_links = ["full_name", "username"]
    list_filter = ["active", "crew__distributor", "crew"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "employee_number",
        "phone",
        "crew__code",
        "crew__name",
    ]
    list_select_related = ["user", "crew__distributor"]
    autocomplete_fields = ["user", "crew"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        if obj is None:
            kwargs["form"] = TechnicianAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fields = ["user", "crew", "employee_number", "phone", "active"]
        if obj is None:
            return [(None, {"fields": fields}), NEW_USER_FIELDSET]
        return [(None, {"fields": fields})]

    def save_model(self, request: HttpRequest, obj: Technician, form, change: bool) -> None:
        if not change:
            obj.user = form.create_user_if_asked()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("name"), ordering="user__first_name")
    def full_name(self, obj: Technician) -> str:
        return obj.user.get_full_name() or obj.user.get_username()

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, obj: Technician) -> str:
        return obj.user.get_username()

    @admin.display(description=_("distributor"), ordering="crew__distributor__name")
    def distributor(self, obj: Technician) -> str:
        return str(obj.crew.distributor)


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The crews' material, movement by movement. Append-only: entries and returns are recorded
    in the portal (cuadrillas.actions.stock), consumption comes from the closings."""

    list_display = [
        short_datetime_column(StockMovement, "at"),
        "crew",
        "material",
        "kind",
        "quantity",
        "serial_number",
        "order",
        "by",
    ]
    list_filter = ["kind", "crew__distributor", "material"]
    search_fields = ["crew__code", "crew__name", "material__code", "serial_number", "order__folio"]
    list_select_related = ["crew", "material", "order", "by"]
    date_hierarchy = "at"
    ordering = ["-at"]  # newest first, on the index of ``at`` (the model orders by crew)
    show_full_result_count = False
