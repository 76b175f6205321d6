"""Service orders (folios), their audit trail, reasons, materials and policies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cuadrillas.models import Crew
from heat.models import Distributor, coordinate_constraints, postal_code_validator


class Brand(models.Model):
    code = models.SlugField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceType(models.Model):
    """An order type (tipo de orden) with its service level."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=80)
    sla_hours = models.PositiveIntegerField(
        _("SLA (hours)"), help_text=_("Hours from routing to the deadline when not scheduled.")
    )
    warning_hours = models.PositiveIntegerField(
        _("warning margin (hours)"),
        default=12,
        help_text=_("The traffic light turns yellow when less than this remains."),
    )
    recovers_equipment = models.BooleanField(
        _("recovers equipment"),
        default=False,
        help_text=_("Recovery orders bring receivers back from the customer."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("order type")
        verbose_name_plural = _("order types")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(sla_hours__gt=0), name="servicetype_sla_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Action(models.TextChoices):
    """The order actions that need a reason or a policy."""

    ASSIGN = "assign", _("Assign")
    RESCHEDULE = "reschedule", _("Reschedule")
    REJECT = "reject", _("Reject")
    CANCEL = "cancel", _("Cancel")
    CHANGE_TYPE = "change_type", _("Change type")
    COMPLETE = "complete", _("Complete")


class Reason(models.Model):
    """A reason code offered for an action; for ``complete`` these are the closing codes."""

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=120)
    needs_other_folio = models.BooleanField(
        _("needs the other folio"),
        default=False,
        help_text=_("For duplicates: the folio it duplicates must be given."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reason")
        verbose_name_plural = _("reasons")
        ordering = ["action", "label"]
        constraints = [
            models.UniqueConstraint(fields=["action", "code"], name="reason_code_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Order(models.Model):
    """A service order (folio) routed by the company to one distributor."""

    class Status(models.TextChoices):
        NEW = "new", _("To assign")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)
    CLOSED_STATUSES = (Status.COMPLETED, Status.REJECTED, Status.CANCELLED)

    class Window(models.TextChoices):
        MORNING = "morning", _("Morning (8:00–13:00)")
        AFTERNOON = "afternoon", _("Afternoon (13:00–19:00)")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("1 · High")
        NORMAL = 2, _("2 · Normal")
        LOW = 3, _("3 · Low")

    folio = models.CharField(_("folio"), max_length=20, unique=True)
    service_request = models.CharField(_("service request (SS)"), max_length=20, blank=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, verbose_name=_("brand"))
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, verbose_name=_("order type"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    distributor = models.ForeignKey(
        Distributor, on_delete=models.PROTECT, related_name="orders", verbose_name=_("distributor")
    )
    crew = models.ForeignKey(
        Crew,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("crew"),
    )

    # Customer and account
    customer_name = models.CharField(_("account holder"), max_length=150)
    customer_phone = models.CharField(_("phone"), max_length=20, blank=True)
    account_number = models.CharField(_("account"), max_length=20, blank=True)
    package = models.CharField(_("package"), max_length=60, blank=True)

    # Mexican address
    street = models.CharField(_("street"), max_length=120)
    exterior_number = models.CharField(_("exterior number"), max_length=20)
    interior_number = models.CharField(_("interior number"), max_length=20, blank=True)
    between_streets = models.CharField(_("between streets"), max_length=200, blank=True)
    neighborhood = models.CharField(_("neighbourhood (colonia)"), max_length=120)
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120)
    state = models.CharField(_("state"), max_length=80)
    postal_code = models.CharField(_("postal code"), max_length=5, validators=[postal_code_validator])
    references = models.TextField(_("references"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)

    # Life
    routed_at = models.DateTimeField(_("routed at"))
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    appointment_date = models.DateField(_("appointment date"), null=True, blank=True)
    appointment_window = models.CharField(_("appointment window"), max_length=10, choices=Window.choices, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    reschedule_count = models.PositiveSmallIntegerField(_("reschedules"), default=0)

    # Closing (código de solución 1/2/3, comments, the position where it was closed)
    solution_code_1 = models.ForeignKey(
        Reason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("solution code 1"),
    )
    solution_code_2 = models.ForeignKey(
        Reason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("solution code 2"),
    )
    solution_code_3 = models.ForeignKey(
        Reason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("solution code 3"),
    )
    solution_comments = models.TextField(_("solution comments"), blank=True)
    closing_latitude = models.DecimalField(_("closing latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    closing_longitude = models.DecimalField(
        _("closing longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["deadline"]
        indexes = [
            models.Index(fields=["distributor", "status", "deadline"], name="order_board_idx"),
            models.Index(fields=["crew", "appointment_date"], name="order_crew_day_idx"),
            models.Index(fields=["distributor", "closed_at"], name="order_closed_idx"),
            # The board's "Abiertas" tab: two statuses cannot walk order_board_idx in deadline
            # order, so without this the page sorts every open folio of the distributor.
            models.Index(
                fields=["distributor", "deadline"],
                condition=Q(status__in=["assigned", "in_progress"]),
                name="order_open_deadline_idx",
            ),
            # The dashboard's red and yellow lists: every open folio, most overdue first.
            models.Index(
                fields=["distributor", "deadline"],
                condition=Q(status__in=["new", "assigned", "in_progress"]),
                name="order_any_open_deadline_idx",
            ),
            # Closings on time against late, over a period, across distributors (back office).
            models.Index(
                fields=["closed_at"],
                include=["distributor", "deadline", "service_type"],
                condition=Q(status="completed"),
                name="order_completed_idx",
            ),
        ]
        constraints = [
            *coordinate_constraints("order", "latitude", "longitude"),
            *coordinate_constraints("order_closing", "closing_latitude", "closing_longitude"),
            models.CheckConstraint(condition=Q(postal_code__regex=r"^[0-9]{5}$"), name="order_postal_code_5_digits"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=3), name="order_priority_1_to_3"),
            # A new order has no crew; one assigned, in progress or completed has one.
            models.CheckConstraint(condition=~Q(status="new") | Q(crew__isnull=True), name="order_new_has_no_crew"),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "in_progress", "completed"]) | Q(crew__isnull=False),
                name="order_assigned_has_crew",
            ),
            # The crew-of-the-same-distributor rule is a composite foreign key added in the
            # migration (order_crew_same_distributor_fk): Django has no field for it.
        ]

    def __str__(self) -> str:
        return self.folio

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class OrderEvent(models.Model):
    """One line of an order's audit trail. Append-only: a database trigger refuses updates."""

    class Kind(models.TextChoices):
        ROUTED = "routed", _("Routed to the distributor")
        ASSIGNED = "assigned", _("Assigned")
        REASSIGNED = "reassigned", _("Reassigned")
        UNASSIGNED = "unassigned", _("Unassigned")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        TYPE_CHANGED = "type_changed", _("Order type changed")
        STARTED = "started", _("Visit started")
        COMPLETED = "completed", _("Completed")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events", verbose_name=_("order"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("when"), db_index=True)
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Order.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Order.Status.choices)
    reason = models.ForeignKey(
        Reason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reason"),
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.get_kind_display()}"


class Material(models.Model):
    class Unit(models.TextChoices):
        PIECE = "pieza", _("piece")
        METRE = "metro", _("metre")

    code = models.CharField(_("code"), max_length=20, unique=True)
    description = models.CharField(_("description"), max_length=120)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    serialized = models.BooleanField(
        _("serialised"), default=False, help_text=_("Receivers and smart cards: one serial each.")
    )
    is_receiver = models.BooleanField(
        _("is a receiver"), default=False, help_text=_("IRD: recovered on recovery orders.")
    )
    brands = models.ManyToManyField(Brand, related_name="materials", verbose_name=_("brands"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.description}"


class MaterialUsage(models.Model):
    """Material declared at closing: installed, or (``recovered``) brought back."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="materials", verbose_name=_("order"))
    material = models.ForeignKey(Material, on_delete=models.PROTECT, verbose_name=_("material"))
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2)
    serial_number = models.CharField(_("serial number"), max_length=40, blank=True)
    recovered = models.BooleanField(_("recovered"), default=False)

    class Meta:
        verbose_name = _("material used")
        verbose_name_plural = _("materials used")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="materialusage_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.material.code} × {self.quantity}"


def policy_upload_to(policy: Policy, filename: str) -> str:
    return f"policies/{policy.action}/{filename}"


class Policy(models.Model):
    """A policy PDF and the rule values the system enforces for an action.

    Rule values (``rules``) by action, all optional:
    reschedule: max_reschedules, max_days_ahead · reject: window_hours ·
    complete: material_limits {material code: max quantity}.
    """

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("order type"),
        help_text=_("Empty: applies to every type without a policy of its own."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=150)
    document = models.FileField(_("PDF"), upload_to=policy_upload_to, blank=True)
    rules = models.JSONField(_("rule values"), default=dict, blank=True)
    requires_acknowledgement = models.BooleanField(_("requires acknowledgement"), default=True)
    effective_from = models.DateTimeField(_("effective from"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["action", "service_type", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "service_type", "version"],
                name="policy_version_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


# --- Visit control, technician requests and traffic-light alerts (issue 4) ------------------


def visit_photo_upload_to(photo: VisitPhoto, filename: str) -> str:
    # The name is ours, never the phone's: it may contain anything, and photos are private.
    import uuid

    extension = "png" if filename.lower().endswith(".png") else "jpg"
    return f"visitas/{photo.order.folio}/{uuid.uuid4().hex}.{extension}"


class VisitCheckIn(models.Model):
    """The technician's arrival at the customer (control de visitas): when, where the phone was
    and how far that is from the customer's coordinates. One per order: a visit starts once."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="check_in", verbose_name=_("order"))
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("technician")
    )
    at = models.DateTimeField(_("checked in at"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(
        _("distance from the customer (m)"),
        null=True,
        blank=True,
        help_text=_("Great-circle metres from the customer's coordinates; empty without a position."),
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            *coordinate_constraints("visitcheckin", "latitude", "longitude"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True, distance_m__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False, distance_m__isnull=False),
                name="visitcheckin_position_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.at:%Y-%m-%d %H:%M}"


class VisitPhoto(models.Model):
    """A photo taken at the visit (JPEG or PNG, at most 5 MB, checked by content)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="photos", verbose_name=_("order"))
    image = models.FileField(_("photo"), upload_to=visit_photo_upload_to)
    content_type = models.CharField(_("content type"), max_length=20)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["order", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png"]), name="visitphoto_jpeg_or_png"
            ),
            models.CheckConstraint(condition=Q(size__gt=0, size__lte=5 * 1024 * 1024), name="visitphoto_at_most_5mb"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.image.name}"


class TechnicianRequest(models.Model):
    """A technician asks the dispatcher to reschedule a folio or to cancel it as a duplicate.
    The dispatcher accepts (the order action runs) or refuses it."""

    class Kind(models.TextChoices):
        RESCHEDULE = "reschedule", _("Reschedule")
        DUPLICATE = "duplicate", _("Duplicate")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="requests", verbose_name=_("order"))
    kind = models.CharField(_("request"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    reason = models.ForeignKey(
        Reason, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reason")
    )
    proposed_date = models.DateField(_("proposed date"), null=True, blank=True)
    proposed_window = models.CharField(_("proposed window"), max_length=10, choices=Order.Window.choices, blank=True)
    other_folio = models.CharField(_("duplicates folio"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("technician request")
        verbose_name_plural = _("technician requests")
        ordering = ["requested_at", "id"]
        constraints = [
            # One open request of each kind per folio: a second tap must not make a second one.
            models.UniqueConstraint(
                fields=["order", "kind"], condition=Q(status="pending"), name="techrequest_one_pending_per_kind"
            ),
            models.CheckConstraint(
                condition=~Q(kind="reschedule")
                | Q(reason__isnull=False, proposed_date__isnull=False) & ~Q(proposed_window=""),
                name="techrequest_reschedule_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="duplicate") | ~Q(other_folio=""), name="techrequest_duplicate_names_folio"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | ~Q(status="pending") & Q(decided_at__isnull=False),
                name="techrequest_decision_consistent",
            ),
        ]
        indexes = [models.Index(fields=["status", "order"], name="techrequest_status_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.get_kind_display()} · {self.get_status_display()}"


class LightAlert(models.Model):
    """That a folio's traffic light was seen turning yellow or red and the distributor told.
    Unique per (order, colour): the periodic sweep notifies each colour once."""

    class Colour(models.TextChoices):
        YELLOW = "yellow", _("About to expire")
        RED = "red", _("Overdue")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="light_alerts", verbose_name=_("order"))
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices)
    at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("traffic-light alert")
        verbose_name_plural = _("traffic-light alerts")
        constraints = [models.UniqueConstraint(fields=["order", "colour"], name="lightalert_once_per_colour")]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.colour}"
