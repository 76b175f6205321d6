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
