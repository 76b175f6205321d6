"""Read queries of the traffic-light dashboard (gráfica), tenant-scoped and aggregated in SQL.

Every count comes from :func:`asignaciones.sla.with_traffic_light`, the one colour rule shared
with the board, the sweeps and the reports, so the dashboard never disagrees with them. A page
costs a fixed number of queries whatever the number of orders: one grouped count of the open
orders (by distributor, crew, type and colour), one grouped count of the last days' closings,
and one query for each of the red and yellow lists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DateField, F, Func, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from asignaciones.models import Brand, Order, ServiceType
from asignaciones.selectors import orders_visible_to
from asignaciones.sla import LIGHT_LABELS, OPEN_LIGHTS, Light, with_traffic_light
from heat.models import Distributor
from heat.tenancy import portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

CLOSING_DAYS = 14
LIST_SIZE = 10
NO_CREW_LABEL = _("Without crew")
# What a row of the red and yellow lists shows (the rest of an order's columns stay unread).
LIST_FIELDS = (
    "folio",
    "deadline",
    "status",
    "crew__code",
    "service_type__code",
    "service_type__warning_hours",
    "brand__name",
    "distributor__name",
    "distributor__time_zone",
)


class LocalDate(Func):
    """The calendar date of a timestamp in a time zone named by a field or value:
    ``timezone(zone, ts)::date`` in PostgreSQL. Each distributor's days are its own."""

    function = "timezone"
    output_field = DateField()

    def __init__(self, zone, timestamp, **extra) -> None:
        super().__init__(zone, timestamp, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return f"({sql})::date", params


@dataclass(frozen=True)
class DashboardFilters:
    """What the person narrowed the dashboard to; ``None`` means all."""

    distributor: Distributor | None = None
    service_type: ServiceType | None = None
    brand: Brand | None = None


@dataclass
class LightCounts:
    """Open orders of one row (a crew, a type, a distributor) by colour."""

    key: object
    label: str
    green: int = 0
    yellow: int = 0
    red: int = 0

    @property
    def total(self) -> int:
        return self.green + self.yellow + self.red

    def add(self, light: str, n: int) -> None:
        setattr(self, light, getattr(self, light) + n)

    def segments(self) -> list[tuple[Light, int]]:
        return [(Light.GREEN, self.green), (Light.YELLOW, self.yellow), (Light.RED, self.red)]


@dataclass
class ClosingDay:
    day: dt.date
    on_time: int = 0
    late: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late


@dataclass
class DistributorRank:
    distributor_id: int
    name: str
    open: int = 0
    red: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def closed(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        """Share of the period's closings done by the deadline; ``None`` when nothing closed."""
        return self.on_time / self.closed if self.closed else None


@dataclass
class Dashboard:
    now: dt.datetime
    zone: ZoneInfo
    totals: LightCounts
    by_crew: list[LightCounts]
    by_type: list[LightCounts]
    closings: list[ClosingDay]
    red: list[Order]
    yellow: list[Order]
    ranking_by_rate: list[DistributorRank] = field(default_factory=list)
    ranking_by_red: list[DistributorRank] = field(default_factory=list)
    multi_distributor: bool = False

    @property
    def closed_on_time(self) -> int:
        return sum(d.on_time for d in self.closings)

    @property
    def closed_late(self) -> int:
        return sum(d.late for d in self.closings)


def dashboard_orders(user: User, filters: DashboardFilters) -> QuerySet[Order]:
    """The orders the dashboard counts: the user's visible orders, narrowed by the filters."""
    qs = orders_visible_to(user)
    if filters.distributor is not None:
        qs = qs.filter(distributor=filters.distributor)
    if filters.service_type is not None:
        qs = qs.filter(service_type=filters.service_type)
    if filters.brand is not None:
        qs = qs.filter(brand=filters.brand)
    return qs


def reference_zone(user: User, filters: DashboardFilters) -> ZoneInfo:
    """The zone whose calendar the closings chart uses: the one distributor's in view, else the
    project's (each closing is still counted on its own distributor's local day)."""
    role = portal_role(user)
    distributor = filters.distributor or role.distributor
    return distributor.zone if distributor is not None else ZoneInfo(settings.TIME_ZONE)


def open_light_counts(qs: QuerySet[Order], now: dt.datetime) -> QuerySet:
    """One grouped count of the open orders by distributor, crew, type and colour."""
    return (
        with_traffic_light(qs.filter(status__in=Order.OPEN_STATUSES), now)
        .values(
            "light",
            "distributor_id",
            "distributor__name",
            "crew_id",
            "crew__code",
            "service_type_id",
            "service_type__code",
            "service_type__name",
        )
        .annotate(n=Count("id"))
        .order_by()
    )


def closing_counts(qs: QuerySet[Order], now: dt.datetime, first_day: dt.date, last_day: dt.date) -> QuerySet:
    """One grouped count of the completed orders by distributor, local closing day and on-time/late.

    The coarse ``closed_at`` bound (a day of slack for the zones) lets the (distributor, closed_at)
    index do the work; the local-day bounds then make it exact for every distributor's zone."""
    since = dt.datetime.combine(first_day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
    return (
        with_traffic_light(qs.filter(status=Order.Status.COMPLETED, closed_at__gte=since), now)
        .annotate(local_day=LocalDate(F("distributor__time_zone"), F("closed_at")))
        .filter(local_day__gte=first_day, local_day__lte=last_day)
        .values("distributor_id", "local_day", "light")
        .annotate(n=Count("id"))
        .order_by()
    )


def span_text(span: dt.timedelta) -> str:
    """A short duration for a list row: "1 d 8 h", "5 h 20 min", "8 min"."""
    seconds = abs(int(span.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return gettext("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return gettext("%(minutes)s min") % {"minutes": minutes}


def overdue_list(qs: QuerySet[Order], now: dt.datetime, light: Light, size: int = LIST_SIZE) -> list[Order]:
    """The first ``size`` open orders of a colour, most overdue (earliest deadline) first, each
    with ``span`` (how long overdue, or how long left) as short text."""
    # The colour rule decides (``light``); the deadline bounds it implies only let PostgreSQL
    # read the few rows near ``now`` through an index instead of every open folio.
    if light == Light.RED:
        bounds = Q(deadline__lte=now)
    else:
        longest_warning = ServiceType.objects.aggregate(hours=Max("warning_hours"))["hours"] or 0
        bounds = Q(deadline__gt=now, deadline__lte=now + dt.timedelta(hours=longest_warning))
    orders = list(
        with_traffic_light(qs.filter(bounds, status__in=Order.OPEN_STATUSES), now)
        .filter(light=light.value)
        .select_related("distributor", "crew", "service_type", "brand")
        .only(*LIST_FIELDS)
        .order_by("deadline", "folio")[:size]
    )
    for order in orders:
        order.span = span_text(order.time_left)
    return orders


def build_dashboard(user: User, filters: DashboardFilters, now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    role = portal_role(user)
    qs = dashboard_orders(user, filters)
    zone = reference_zone(user, filters)
    last_day = now.astimezone(zone).date()
    first_day = last_day - dt.timedelta(days=CLOSING_DAYS - 1)
    multi = not role.is_distributor_staff and filters.distributor is None

    totals = LightCounts("all", "")
    crews: dict[object, LightCounts] = {}
    types: dict[object, LightCounts] = {}
    ranks: dict[int, DistributorRank] = {}
    for row in open_light_counts(qs, now):
        light, n = row["light"], row["n"]
        totals.add(light, n)
        crew_label = f"{row['crew__code']}" if row["crew_id"] is not None else str(NO_CREW_LABEL)
        if multi and row["crew_id"] is not None:
            crew_label = f"{crew_label} · {row['distributor__name']}"
        crews.setdefault(row["crew_id"], LightCounts(row["crew_id"], crew_label)).add(light, n)
        types.setdefault(
            row["service_type_id"],
            LightCounts(row["service_type_id"], f"{row['service_type__code']} · {row['service_type__name']}"),
        ).add(light, n)
        rank = ranks.setdefault(row["distributor_id"], DistributorRank(row["distributor_id"], row["distributor__name"]))
        rank.open += n
        if light == Light.RED:
            rank.red += n

    days = {first_day + dt.timedelta(days=i): ClosingDay(first_day + dt.timedelta(days=i)) for i in range(CLOSING_DAYS)}
    closings_by_distributor: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in closing_counts(qs, now, first_day, last_day):
        day = days[row["local_day"]]
        setattr(day, row["light"], getattr(day, row["light"]) + row["n"])
        closings_by_distributor[row["distributor_id"]][row["light"]] += row["n"]

    dashboard = Dashboard(
        now=now,
        zone=zone,
        totals=totals,
        # Crews with the most overdue first: that is where the dispatcher looks.
        by_crew=sorted(crews.values(), key=lambda c: (c.key is None, -c.red, -c.yellow, -c.total, c.label)),
        by_type=sorted(types.values(), key=lambda t: (-t.red, -t.yellow, -t.total, t.label)),
        closings=list(days.values()),
        red=overdue_list(qs, now, Light.RED),
        yellow=overdue_list(qs, now, Light.YELLOW),
        multi_distributor=multi,
    )
    if multi:
        dashboard.ranking_by_rate, dashboard.ranking_by_red = distributor_rankings(
            user, filters, ranks, closings_by_distributor
        )
    return dashboard


def distributor_rankings(
    user: User,
    filters: DashboardFilters,
    ranks: dict[int, DistributorRank],
    closings: dict[int, dict[str, int]],
) -> tuple[list[DistributorRank], list[DistributorRank]]:
    """Every distributor of the user's set (those with nothing open or closed too), ranked by
    on-time rate (best first; without closings last) and by red count (most first)."""
    rows = []
    for distributor_id, name in portal_role(user).distributors().values_list("id", "name"):
        rank = ranks.get(distributor_id) or DistributorRank(distributor_id, name)
        rank.on_time = closings.get(distributor_id, {}).get(Light.ON_TIME, 0)
        rank.late = closings.get(distributor_id, {}).get(Light.LATE, 0)
        rows.append(rank)
    by_rate = sorted(rows, key=lambda r: (r.on_time_rate is None, -(r.on_time_rate or 0), -r.closed, r.name))
    by_red = sorted(rows, key=lambda r: (-r.red, -r.open, r.name))
    return by_rate, by_red


def light_legend() -> list[tuple[Light, str]]:
    return [(light, LIGHT_LABELS[light]) for light in OPEN_LIGHTS]


def closing_legend() -> list[tuple[Light, str]]:
    return [(Light.ON_TIME, LIGHT_LABELS[Light.ON_TIME]), (Light.LATE, LIGHT_LABELS[Light.LATE])]
