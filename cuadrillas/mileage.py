"""Mileage (kilometraje): where the crews drive, read from the orders, tenant-scoped.

A crew's day is a route: from its base through the day's visits in appointment order (date,
window, then deadline) and back to its base, each leg a great-circle distance computed in SQL
(the legs with a window function over the day's visits, so a whole period is one query). A
visit outside its distributor's coverage (postal codes and/or radius) is flagged, with the
extra km that billing pays for it (``facturacion.billing.paid_km``: beyond the free km, round
trip, capped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lag, RowNumber
from django.utils import timezone

from asignaciones.models import Order
from asignaciones.selectors import orders_visible_to
from asignaciones.sla import with_traffic_light
from cuadrillas.geo import great_circle_km_sql
from cuadrillas.models import Crew
from facturacion.billing import paid_km
from heat.dashboard import LocalDate
from heat.models import Distributor

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

S = Order.Status
# Orders a crew drives to: assigned, being visited or done. Unassigned folios have no route yet;
# rejected and cancelled ones were not (or no longer) visited.
VISIT_STATUSES = (S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED)
MAX_PERIOD_DAYS = 92
ZERO = Decimal("0")


class PostalCodeListed(Func):
    """SQL ``postal_code = ANY(coverage_postal_codes)`` between two fields."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def in_coverage_sql(prefix: str = "distributor__") -> ExpressionWrapper:
    """SQL boolean: is each order inside its distributor's coverage? The same rule as
    ``cuadrillas.coverage.in_coverage``: a listed postal code, or within the radius of the base
    (boundary included); a distributor with neither covers everything."""
    listed = PostalCodeListed(F("postal_code"), F(f"{prefix}coverage_postal_codes"))
    within_radius = Q(**{f"{prefix}coverage_radius_km__isnull": False}) & Q(
        **{
            f"{prefix}coverage_radius_km__gte": great_circle_km_sql(
                f"{prefix}base_latitude", f"{prefix}base_longitude", "latitude", "longitude"
            )
        }
    )
    covers_all = Q(**{f"{prefix}coverage_postal_codes": []}) & Q(**{f"{prefix}coverage_radius_km__isnull": True})
    return ExpressionWrapper(Q(listed) | within_radius | covers_all, output_field=BooleanField())


def service_day_sql(now: dt.datetime):
    """The day a visit belongs to: its appointment date; else, once completed, the day it was
    closed; else (open and unscheduled) today — each in the distributor's own time zone."""
    return Coalesce(
        F("appointment_date"),
        Case(
            When(status=S.COMPLETED, then=LocalDate(F("distributor__time_zone"), F("closed_at"))),
            default=LocalDate(F("distributor__time_zone"), Value(now)),
        ),
    )


WINDOW_RANK = Case(
    When(appointment_window=Order.Window.MORNING, then=Value(0)),
    When(appointment_window=Order.Window.AFTERNOON, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def day_orders(qs: QuerySet[Order], first_day: dt.date, last_day: dt.date, now: dt.datetime) -> QuerySet[Order]:
    """``qs`` narrowed to the orders whose service day is in [first_day, last_day], with
    ``service_day`` and ``light`` annotated."""
    # A coarse bound the indexes can use first (a day of slack either side for the time zones):
    # an order of those days is scheduled then, or was closed then, or is open and unscheduled.
    since = dt.datetime.combine(first_day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
    until = dt.datetime.combine(last_day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=2)
    coarse = (
        Q(appointment_date__gte=first_day, appointment_date__lte=last_day)
        | Q(appointment_date__isnull=True, status=S.COMPLETED, closed_at__gte=since, closed_at__lt=until)
        | Q(appointment_date__isnull=True, status__in=Order.OPEN_STATUSES)
    )
    return with_traffic_light(
        qs.filter(coarse)
        .annotate(service_day=service_day_sql(now))
        .filter(service_day__gte=first_day, service_day__lte=last_day),
        now,
    )


def route_orders(qs: QuerySet[Order], first_day: dt.date, last_day: dt.date, now: dt.datetime) -> QuerySet[Order]:
    """The visits of ``qs`` in the period, in route order, each with: ``position`` in its crew's
    day, ``km_from_base`` (from the crew's base), ``leg_km`` (from the previous stop: the base
    for the first visit) and ``in_coverage``. One query, however many crews and days."""
    route = {
        "partition_by": [F("crew_id"), F("service_day")],
        "order_by": [F("window_rank").asc(), F("deadline").asc(), F("folio").asc()],
    }
    qs = day_orders(qs.filter(status__in=VISIT_STATUSES, crew__isnull=False), first_day, last_day, now)
    qs = qs.annotate(
        window_rank=WINDOW_RANK,
        km_from_base=great_circle_km_sql("crew__base_latitude", "crew__base_longitude", "latitude", "longitude"),
        in_coverage=in_coverage_sql(),
    ).annotate(
        # From the previous stop of the crew's day; the first visit's previous stop is the base
        # (LAG's default: not a NULL, which the distance's LEAST(1, …) would turn into 1).
        leg_km=great_circle_km_sql(
            Window(Lag("latitude", default=F("crew__base_latitude")), **route),
            Window(Lag("longitude", default=F("crew__base_longitude")), **route),
            "latitude",
            "longitude",
        ),
        position=Window(RowNumber(), **route),
    )
    return qs.select_related("distributor", "crew", "service_type", "brand").order_by(
        "crew__distributor__name", "crew__code", "service_day", "window_rank", "deadline", "folio"
    )


@dataclass
class Visit:
    order: Order
    position: int
    km_from_base: float
    leg_km: float
    in_coverage: bool
    extra_km: Decimal

    @property
    def light(self) -> str:
        return self.order.light


@dataclass
class CrewDay:
    crew: Crew
    day: dt.date
    visits: list[Visit] = field(default_factory=list)

    @property
    def return_km(self) -> float:
        return self.visits[-1].km_from_base if self.visits else 0.0

    @property
    def route_km(self) -> float:
        """Base → visits in order → base; 0 without visits."""
        return sum(v.leg_km for v in self.visits) + self.return_km

    @property
    def out_of_coverage(self) -> int:
        return sum(1 for v in self.visits if not v.in_coverage)

    @property
    def extra_km(self) -> Decimal:
        return sum((v.extra_km for v in self.visits), ZERO)


@dataclass
class DistributorMileage:
    distributor: Distributor
    crew_days: list[CrewDay] = field(default_factory=list)

    @property
    def visits(self) -> int:
        return sum(len(d.visits) for d in self.crew_days)

    @property
    def route_km(self) -> float:
        return sum(d.route_km for d in self.crew_days)

    @property
    def out_of_coverage(self) -> int:
        return sum(d.out_of_coverage for d in self.crew_days)

    @property
    def extra_km(self) -> Decimal:
        return sum((d.extra_km for d in self.crew_days), ZERO)


def _visits(rows: Iterable[Order]) -> list[tuple[Order, Visit]]:
    visits = []
    for order in rows:
        # Only a folio outside the coverage area earns extra km, by billing's own rule.
        extra = ZERO if order.in_coverage else paid_km(order)
        visit = Visit(order, order.position, order.km_from_base, order.leg_km, bool(order.in_coverage), extra)
        visits.append((order, visit))
    return visits


def crew_days(rows: Iterable[Order]) -> list[CrewDay]:
    """Group route rows (from :func:`route_orders`) into crew-days, keeping their order."""
    days: dict[tuple[int, dt.date], CrewDay] = {}
    for order, visit in _visits(rows):
        key = (order.crew_id, order.service_day)
        days.setdefault(key, CrewDay(order.crew, order.service_day)).visits.append(visit)
    return list(days.values())


def crew_day(crew: Crew, day: dt.date, now: dt.datetime | None = None) -> CrewDay:
    """One crew's route on one day. ``crew`` comes from ``crews_visible_to`` (tenancy)."""
    now = now or timezone.now()
    rows = route_orders(Order.objects.filter(crew=crew), day, day, now)
    found = crew_days(rows)
    return found[0] if found else CrewDay(crew, day)


def mileage_by_distributor(
    user: User,
    first_day: dt.date,
    last_day: dt.date,
    *,
    distributor: Distributor | None = None,
    now: dt.datetime | None = None,
) -> list[DistributorMileage]:
    """Every crew-day of the period for the user's distributors (or one of them), grouped by
    distributor, with totals. Distributors without visits are listed with zeros."""
    now = now or timezone.now()
    from heat.tenancy import portal_role

    distributors = portal_role(user).distributors()
    qs = orders_visible_to(user)
    if distributor is not None:
        distributors = distributors.filter(pk=distributor.pk)
        qs = qs.filter(distributor=distributor)
    result = {d.pk: DistributorMileage(d) for d in distributors.order_by("name")}
    for day in crew_days(route_orders(qs, first_day, last_day, now)):
        entry = result.get(day.crew.distributor_id)
        if entry is not None:
            entry.crew_days.append(day)
    return list(result.values())


def day_routes(
    user: User, day: dt.date, *, distributor: Distributor | None = None, now: dt.datetime | None = None
) -> list[CrewDay]:
    """Every visible crew's route on ``day``, for the map."""
    qs = orders_visible_to(user)
    if distributor is not None:
        qs = qs.filter(distributor=distributor)
    return crew_days(route_orders(qs, day, day, now or timezone.now()))


def map_orders(
    user: User, day: dt.date, *, distributor: Distributor | None = None, now: dt.datetime | None = None
) -> QuerySet[Order]:
    """The day's folios for the map, any status but rejected/cancelled, with their colour."""
    now = now or timezone.now()
    qs = orders_visible_to(user).exclude(status__in=(S.REJECTED, S.CANCELLED))
    if distributor is not None:
        qs = qs.filter(distributor=distributor)
    return (
        day_orders(qs, day, day, now)
        .annotate(in_coverage=in_coverage_sql())
        .select_related("crew", "service_type", "distributor")
        .order_by("deadline", "folio")
    )
