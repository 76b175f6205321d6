"""Commission rates and the billing line each completed order earns."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from asignaciones.models import Brand, Order, ServiceType
from heat.models import Distributor


class CommissionRate(models.Model):
    """What the company pays a distributor for one completed order of a type (and brand)."""

    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="rates", verbose_name=_("order type")
    )
    brand = models.ForeignKey(
        Brand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("brand"),
        help_text=_("Empty: every brand without a rate of its own."),
    )
    amount = models.DecimalField(_("amount (MXN)"), max_digits=10, decimal_places=2)
    per_recovered_receiver = models.DecimalField(
        _("per recovered receiver (MXN)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")
        ordering = ["service_type", "brand", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="rate_amount_not_negative"),
            models.UniqueConstraint(
                fields=["service_type", "brand", "valid_from"],
                name="rate_unique_per_day",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type.code} {self.brand or ''} ${self.amount}"


class BillingLine(models.Model):
    """The commission one completed order earns: written by ``asignaciones.actions.complete``."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="billing_line", verbose_name=_("order"))
    distributor = models.ForeignKey(
        Distributor,
        on_delete=models.PROTECT,
        related_name="billing_lines",
        verbose_name=_("distributor"),
    )
    completed_at = models.DateTimeField(_("completed at"), db_index=True)
    commission = models.DecimalField(_("commission"), max_digits=10, decimal_places=2)
    mileage_km = models.DecimalField(_("paid km"), max_digits=8, decimal_places=1)
    mileage_amount = models.DecimalField(_("mileage"), max_digits=10, decimal_places=2)
    days_late = models.PositiveSmallIntegerField(_("days late"), default=0)
    penalty = models.DecimalField(_("penalty"), max_digits=10, decimal_places=2)
    total = models.DecimalField(_("total before VAT"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("billing line")
        verbose_name_plural = _("billing lines")
        ordering = ["-completed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=models.F("commission") + models.F("mileage_amount") - models.F("penalty")),
                name="billingline_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} ${self.total}"
