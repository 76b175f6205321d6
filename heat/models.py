"""The tenant: masters, distributors and who belongs to them."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MEXICAN_TIME_ZONES = [
    ("America/Tijuana", "Tijuana (Pacífico, con horario de verano)"),
    ("America/Hermosillo", "Hermosillo (Sonora)"),
    ("America/Mazatlan", "Mazatlán (Pacífico)"),
    ("America/Chihuahua", "Chihuahua"),
    ("America/Mexico_City", "Ciudad de México (Centro)"),
    ("America/Monterrey", "Monterrey"),
    ("America/Merida", "Mérida"),
    ("America/Cancun", "Cancún (Sureste)"),
]

postal_code_validator = RegexValidator(r"^\d{5}$", _("A postal code has exactly 5 digits."))
rfc_validator = RegexValidator(r"^[A-ZÑ&]{3,4}\d{6}[A-Z\d]{3}$", _("Enter a valid RFC (12 or 13 characters)."))


def coordinate_constraints(prefix: str, lat: str, lon: str) -> list[models.CheckConstraint]:
    """Latitude in [-90, 90] and longitude in [-180, 180], or both absent."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{lat}__isnull": True}) | Q(**{f"{lat}__gte": -90, f"{lat}__lte": 90}),
            name=f"{prefix}_latitude_in_range",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{lon}__isnull": True}) | Q(**{f"{lon}__gte": -180, f"{lon}__lte": 180}),
            name=f"{prefix}_longitude_in_range",
        ),
    ]


class Master(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    rfc = models.CharField(_("RFC"), max_length=13, blank=True, validators=[rfc_validator])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("master distributor")
        verbose_name_plural = _("master distributors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Distributor(models.Model):
    master = models.ForeignKey(
        Master,
        verbose_name=_("master distributor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributors",
    )
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    rfc = models.CharField(_("RFC"), max_length=13, blank=True, validators=[rfc_validator])
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    city = models.CharField(_("city"), max_length=80)
    state = models.CharField(_("state"), max_length=80, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=40, choices=MEXICAN_TIME_ZONES, default="America/Mexico_City"
    )
    base_latitude = models.DecimalField(_("base latitude"), max_digits=9, decimal_places=6)
    base_longitude = models.DecimalField(_("base longitude"), max_digits=9, decimal_places=6)
    coverage_postal_codes = ArrayField(
        models.CharField(max_length=5, validators=[postal_code_validator]),
        verbose_name=_("covered postal codes"),
        default=list,
        blank=True,
    )
    coverage_radius_km = models.DecimalField(
        _("coverage radius (km)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Orders within this distance of the base are inside the coverage area."),
    )
    # Mileage terms (DOMAIN.md): km beyond the free distance, round trip, paid up to a cap.
    mileage_free_km = models.DecimalField(_("free km"), max_digits=6, decimal_places=1, default=Decimal("30"))
    mileage_rate = models.DecimalField(
        _("rate per extra km (MXN)"), max_digits=8, decimal_places=2, default=Decimal("6.00")
    )
    mileage_cap_km = models.DecimalField(_("paid km cap"), max_digits=6, decimal_places=1, default=Decimal("150"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("distributor")
        verbose_name_plural = _("distributors")
        ordering = ["name"]
        constraints = [
            *coordinate_constraints("distributor", "base_latitude", "base_longitude"),
            models.CheckConstraint(
                condition=Q(coverage_radius_km__isnull=True) | Q(coverage_radius_km__gt=0),
                name="distributor_coverage_radius_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ContactPerson(models.Model):
    distributor = models.ForeignKey(
        Distributor, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("distributor")
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.CharField(_("position"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A portal user's place: owner or dispatcher of a distributor, or viewer of a master.

    Technicians are not members: they are ``cuadrillas.Technician`` rows. Back-office staff are
    ``is_staff`` users and need no membership.
    """

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        DISPATCHER = "dispatcher", _("Dispatcher")
        MASTER_VIEWER = "master_viewer", _("Master viewer")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    distributor = models.ForeignKey(
        Distributor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("distributor"),
    )
    master = models.ForeignKey(
        Master,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("master distributor"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # A master viewer belongs to a master only; everybody else to a distributor only.
            models.CheckConstraint(
                condition=(
                    Q(role="master_viewer", master__isnull=False, distributor__isnull=True)
                    | (Q(role__in=["owner", "dispatcher"]) & Q(distributor__isnull=False, master__isnull=True))
                ),
                name="membership_role_matches_tenant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.distributor or self.master}"


class Notification(models.Model):
    """A message to one user by one channel: shown in the portal (``in_app``) or sent by email.

    ``key`` names what caused it (an order event, a technician request, a traffic-light change);
    the unique (key, recipient, channel) is the idempotency key: a job retried after a partial
    failure finds the rows it already wrote and sends only what is still unsent."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the portal")
        EMAIL = "email", _("Email")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    key = models.CharField(_("cause"), max_length=80)
    kind = models.CharField(_("kind"), max_length=40)
    order = models.ForeignKey(
        "asignaciones.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient", "channel"], name="notification_once_per_recipient"),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(channel="in_app", read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.channel} · {self.key}"
