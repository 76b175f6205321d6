"""Crews (cuadrillas) and their technicians."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from heat.models import Distributor, coordinate_constraints


class Crew(models.Model):
    distributor = models.ForeignKey(
        Distributor, on_delete=models.PROTECT, related_name="crews", verbose_name=_("distributor")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    base_latitude = models.DecimalField(_("base latitude"), max_digits=9, decimal_places=6)
    base_longitude = models.DecimalField(_("base longitude"), max_digits=9, decimal_places=6)
    brands = models.ManyToManyField("asignaciones.Brand", related_name="crews", verbose_name=_("brands served"))
    service_types = models.ManyToManyField(
        "asignaciones.ServiceType", related_name="crews", verbose_name=_("order types served")
    )
    daily_capacity = models.PositiveSmallIntegerField(
        _("daily capacity"), default=6, help_text=_("How many visits the crew can make in a day.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("crew")
        verbose_name_plural = _("crews")
        ordering = ["distributor", "code"]
        constraints = [
            models.UniqueConstraint(fields=["distributor", "code"], name="crew_code_unique"),
            # Target of the orders' composite foreign key (crew, distributor): the database
            # itself refuses an order whose crew belongs to another distributor.
            models.UniqueConstraint(fields=["id", "distributor"], name="crew_id_distributor_unique"),
            models.CheckConstraint(condition=Q(daily_capacity__gt=0), name="crew_daily_capacity_positive"),
            *coordinate_constraints("crew", "base_latitude", "base_longitude"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Technician(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="technician",
        verbose_name=_("user"),
    )
    crew = models.ForeignKey(Crew, on_delete=models.PROTECT, related_name="technicians", verbose_name=_("crew"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")
        ordering = ["crew", "user__first_name"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class StockMovement(models.Model):
    """One movement of material in or out of a crew's hands. Append-only; the balance is the
    sum of ``quantity`` (positive in, negative out), computed in SQL.

    Entries and returns are recorded by the distributor's owner or dispatchers; consumption and
    recovered receivers come from the closings of the crew's orders, in the same transaction."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Handed to the crew")
        CONSUMPTION = "consumption", _("Used at a visit")
        RECOVERY = "recovery", _("Recovered at a visit")
        RETURN = "return", _("Returned to the warehouse")

    INBOUND = (Kind.ENTRY, Kind.RECOVERY)

    crew = models.ForeignKey(Crew, on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("crew"))
    material = models.ForeignKey(
        "asignaciones.Material", on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    kind = models.CharField(_("movement"), max_length=20, choices=Kind.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, help_text=_("Positive in, negative out.")
    )
    serial_number = models.CharField(_("serial number"), max_length=40, blank=True)
    order = models.ForeignKey(
        "asignaciones.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    at = models.DateTimeField(_("when"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["crew", "at", "id"]
        indexes = [models.Index(fields=["crew", "material", "at"], name="stock_crew_material_idx")]
        constraints = [
            # The sign follows the kind, so SUM(quantity) is the balance.
            models.CheckConstraint(
                condition=Q(kind__in=["entry", "recovery"], quantity__gt=0)
                | Q(kind__in=["consumption", "return"], quantity__lt=0),
                name="stockmovement_sign_follows_kind",
            ),
            # Consumption and recovery come from a closing; entries and returns from the office.
            models.CheckConstraint(
                condition=Q(kind__in=["consumption", "recovery"], order__isnull=False)
                | Q(kind__in=["entry", "return"]),
                name="stockmovement_visit_moves_name_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.crew_id} · {self.material_id} · {self.quantity}"
