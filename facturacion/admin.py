"""The back office's admin for commission rates (editable) and billing lines (read-only money:
``asignaciones.actions.complete`` writes each line when the order is completed)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from facturacion.models import BillingLine, CommissionRate
from heat.admin import ReadOnlyAdminMixin, SaveChangedFieldsMixin, short_datetime_column


@admin.register(CommissionRate)
class CommissionRateAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["service_type", "brand", "amount", "per_recovered_receiver", "valid_from"]
    list_filter = ["service_type", "brand", "valid_from"]
    search_fields = ["service_type__code", "service_type__name", "brand__name"]
    list_select_related = ["service_type", "brand"]
    date_hierarchy = "valid_from"
    fieldsets = [
        (
            None,
            {
                "fields": ["service_type", "brand", "amount", "per_recovered_receiver", "valid_from"],
                "description": _(
                    "A completed order earns the newest rate valid on its closing day: the one for its brand "
                    "if there is one, else the one for every brand. To change a rate from a date on, add a "
                    "new rate valid from that date: billing lines already written keep their amounts."
                ),
            },
        ),
    ]


@admin.register(BillingLine)
class BillingLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "order",
        "distributor",
        short_datetime_column(BillingLine, "completed_at"),
        "commission",
        "mileage_km",
        "mileage_amount",
        "days_late",
        "penalty",
        "total",
    ]
    list_filter = ["distributor", "order__service_type", "order__brand", "days_late"]
    search_fields = ["order__folio", "order__customer_name", "order__account_number"]
    search_help_text = _("Folio, account holder or account.")
    list_select_related = ["order", "distributor"]
    date_hierarchy = "completed_at"
    fields = [
        "order",
        "distributor",
        "completed_at",
        ("commission", "mileage_km", "mileage_amount"),
        ("days_late", "penalty", "total"),
    ]
    readonly_fields = [
        "order",
        "distributor",
        short_datetime_column(BillingLine, "completed_at"),
        "commission",
        "mileage_km",
        "mileage_amount",
        "days_late",
        "penalty",
        "total",
    ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # The filtered lines' totals under the list, in one aggregate query.
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["heat_totals"] = changelist.queryset.aggregate(
                commission=Sum("commission"),
                mileage=Sum("mileage_amount"),
                penalty=Sum("penalty"),
                total=Sum("total"),
            )
        return response
