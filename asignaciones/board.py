"""The folio board (SKY Asignaciones): which orders a user sees, filtered, searched and sorted.

Everything here is one tenant-scoped queryset built on ``orders_visible_to`` and the one
traffic-light rule (``with_traffic_light``), so the board, its exports and its counts agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from asignaciones.models import Order
from asignaciones.selectors import orders_visible_to
from asignaciones.sla import with_traffic_light

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

S = Order.Status

# tab -> (label, statuses)
TABS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "new": (pgettext_lazy("board tab", "To assign"), (S.NEW,)),
    "open": (pgettext_lazy("board tab", "Open"), (S.ASSIGNED, S.IN_PROGRESS)),
    "closed": (pgettext_lazy("board tab", "Closed"), Order.CLOSED_STATUSES),
}
DEFAULT_TAB = "new"

# Public sort key -> ORDER BY fields. Only these keys are accepted, so a URL can never sort on
# an arbitrary (or slow, or private) column. The primary key breaks ties so pages are stable.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "deadline": ("deadline",),
    "folio": ("folio",),
    "type": ("service_type__code",),
    "brand": ("brand__name",),
    "customer": ("customer_name",),
    "place": ("neighborhood", "postal_code"),
    "crew": ("crew__code",),
    "appointment": ("appointment_date", "appointment_window"),
    "priority": ("priority",),
    "routed": ("routed_at",),
}
DEFAULT_SORT = "deadline"
PAGE_SIZES = (25, 50, 100)


@dataclass
class BoardQuery:
    """The board's filters as parsed from the URL (see ``forms.BoardFilterForm``)."""

    tab: str = DEFAULT_TAB
    statuses: list[str] = field(default_factory=list)
    service_types: list[int] = field(default_factory=list)
    brands: list[int] = field(default_factory=list)
    crew: int | None = None
    unassigned: bool = False
    lights: list[str] = field(default_factory=list)
    priority: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    place: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT

    @property
    def order_by(self) -> list[str]:
        descending = self.sort.startswith("-")
        key = self.sort.lstrip("-")
        fields = SORT_KEYS.get(key, SORT_KEYS[DEFAULT_SORT])
        prefix = "-" if descending else ""
        return [f"{prefix}{name}" for name in fields] + [f"{prefix}pk"]


def _day_start(day: dt.date) -> dt.datetime:
    # Date filters are days in the portal's time zone; comparing with aware datetimes (rather
    # than ``routed_at__date``) lets PostgreSQL use the indexes.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def board_orders(user: User, query: BoardQuery, *, now: dt.datetime | None = None) -> QuerySet[Order]:
    """The user's orders on the board: tenant-scoped, with ``light`` and ``time_left`` in SQL,
    the related rows a row shows joined in, filtered, searched and sorted."""
    qs = with_traffic_light(_filtered(user, query), now)
    if query.lights:
        qs = qs.filter(light__in=query.lights)
    return qs.select_related("brand", "service_type", "crew", "distributor").order_by(*query.order_by)


def board_count(user: User, query: BoardQuery, *, now: dt.datetime | None = None) -> int:
    """How many orders ``board_orders`` holds. Without a colour filter the count needs no
    traffic light, hence no join: the index (distributor, status, deadline) answers it alone."""
    if query.lights:
        return board_orders(user, query, now=now).count()
    return _filtered(user, query).count()


def _filtered(user: User, query: BoardQuery) -> QuerySet[Order]:
    statuses = TABS.get(query.tab, TABS[DEFAULT_TAB])[1]
    qs = orders_visible_to(user).filter(status__in=statuses)
    if query.statuses:
        qs = qs.filter(status__in=[s for s in query.statuses if s in statuses] or ["-"])
    if query.service_types:
        qs = qs.filter(service_type_id__in=query.service_types)
    if query.brands:
        qs = qs.filter(brand_id__in=query.brands)
    if query.unassigned:
        qs = qs.filter(crew__isnull=True)
    elif query.crew:
        qs = qs.filter(crew_id=query.crew)
    if query.priority:
        qs = qs.filter(priority=query.priority)
    if query.date_from:
        qs = qs.filter(routed_at__gte=_day_start(query.date_from))
    if query.date_to:
        qs = qs.filter(routed_at__lt=_day_start(query.date_to + dt.timedelta(days=1)))
    if query.place:
        place = query.place.strip()
        qs = qs.filter(postal_code=place) if place.isdigit() else qs.filter(neighborhood__icontains=place)
    if query.q:
        qs = qs.filter(search_condition(query.q))
    return qs


# What a board row shows: loading only these keeps a page of 100 rows cheap to build.
ROW_FIELDS = (
    "folio",
    "status",
    "priority",
    "customer_name",
    "neighborhood",
    "postal_code",
    "appointment_date",
    "appointment_window",
    "deadline",
    "crew_id",
    "brand__name",
    "service_type__code",
    "service_type__name",
    "service_type__warning_hours",
    "crew__code",
)


def board_rows(user: User, query: BoardQuery, *, now: dt.datetime | None = None) -> QuerySet[Order]:
    """``board_orders`` restricted to the columns of a board row."""
    return (
        board_orders(user, query, now=now)
        .select_related(None)
        .select_related("brand", "service_type", "crew")
        .only(*ROW_FIELDS)
    )


def search_condition(text: str) -> Q:
    """Folio, customer, phone or account: exact for the codes, contains for the name."""
    text = text.strip()
    condition = Q(folio__iexact=text) | Q(customer_name__icontains=text) | Q(account_number=text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4:
        condition |= Q(customer_phone__contains=digits)
    return condition


def humanize_time_left(time_left: dt.timedelta | None, light: str) -> str:
    """'Quedan 5 h 20 min' / 'Vencida hace 2 d 3 h' for open orders; empty for closed ones."""
    if time_left is None or light not in ("green", "yellow", "red"):
        return ""
    seconds = int(time_left.total_seconds())
    overdue = seconds <= 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    elif hours:
        span = _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    else:
        span = _("%(minutes)s min") % {"minutes": minutes}
    if overdue:
        return _("overdue by %(span)s") % {"span": span}
    return _("%(span)s left") % {"span": span}


def board_tab_counts(user: User) -> dict[str, int]:
    """The badges of the "Por asignar" and "Abiertas" tabs.

    Only open folios are counted, and COUNT(status) rather than COUNT(id): the index (distributor,
    status, deadline) then answers alone (an index-only scan), without touching the table or the
    distributor's years of closed folios.
    """
    return (
        orders_visible_to(user)
        .filter(status__in=Order.OPEN_STATUSES)
        .aggregate(
            new=Count("status", filter=Q(status=Order.Status.NEW)),
            open=Count("status", filter=Q(status__in=(Order.Status.ASSIGNED, Order.Status.IN_PROGRESS))),
        )
    )
