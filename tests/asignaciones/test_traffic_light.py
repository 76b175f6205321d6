"""The traffic light's boundaries with a frozen clock: the SQL annotation (``with_traffic_light``)
and the Python rule (``light_of``) agree to the second, in each distributor's own time zone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from asignaciones import actions
from asignaciones.models import Action, Order, Reason
from asignaciones.sla import light_of, with_traffic_light
from tests import factories

UTC = dt.UTC
SECOND = dt.timedelta(seconds=1)
ROUTED = dt.datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


def lights_at(order: Order, now: dt.datetime) -> tuple[str, str]:
    """(SQL colour, Python colour) of ``order`` with the clock frozen at ``now``."""
    with time_machine.travel(now, tick=False):
        sql = with_traffic_light(Order.objects.filter(pk=order.pk)).get().light
        python = light_of(Order.objects.select_related("service_type").get(pk=order.pk))
    return sql, python


def colour_at(order: Order, now: dt.datetime) -> str:
    sql, python = lights_at(order, now)
    assert sql == python, f"SQL says {sql}, Python says {python} at {now}"
    return sql


@pytest.fixture
def unscheduled(distributor_a):
    """An INS folio (72 h SLA, yellow in its last 12 h) routed at ROUTED."""
    return factories.make_order(distributor_a, service_type="INS", routed_at=ROUTED)


@pytest.mark.django_db
def test_a_folio_is_red_exactly_at_its_deadline_and_yellow_one_second_before(unscheduled):
    deadline = ROUTED + dt.timedelta(hours=72)
    assert unscheduled.deadline == deadline
    assert colour_at(unscheduled, deadline) == "red"
    assert colour_at(unscheduled, deadline - SECOND) == "yellow"
    assert colour_at(unscheduled, deadline + dt.timedelta(days=3)) == "red"


@pytest.mark.django_db
def test_a_folio_is_yellow_exactly_at_its_warning_margin_and_green_one_second_before(unscheduled):
    warning = ROUTED + dt.timedelta(hours=72 - 12)
    assert colour_at(unscheduled, warning) == "yellow"
    assert colour_at(unscheduled, warning - SECOND) == "green"
    assert colour_at(unscheduled, ROUTED) == "green"


@pytest.mark.django_db
def test_the_warning_margin_is_the_order_types_own_as_the_back_office_edits_it(unscheduled):
    unscheduled.service_type.warning_hours = 30
    unscheduled.service_type.save(update_fields=["warning_hours"])
    warning = ROUTED + dt.timedelta(hours=72 - 30)
    assert colour_at(unscheduled, warning) == "yellow"
    assert colour_at(unscheduled, warning - SECOND) == "green"


@pytest.mark.django_db
def test_a_folio_closed_exactly_at_its_deadline_is_on_time_and_one_second_later_late(
    distributor_a, crew_a1, dispatcher_a
):
    closing = Reason.objects.filter(action=Action.COMPLETE).first()
    closed = {}
    for name, offset in [("at", dt.timedelta(0)), ("after", SECOND)]:
        order = factories.make_order(distributor_a, routed_at=ROUTED)
        actions.assign(order, crew_a1, by=dispatcher_a)
        with time_machine.travel(order.deadline + offset, tick=False):
            closed[name] = actions.complete(order, by=dispatcher_a, solution_codes=[closing])
    later = ROUTED + dt.timedelta(days=30)
    assert colour_at(closed["at"], later) == "on_time"
    assert colour_at(closed["after"], later) == "late"


@pytest.mark.django_db
def test_rejected_and_cancelled_folios_have_no_colour(distributor_a, dispatcher_a):
    from asignaciones.rules import policy_for

    order = factories.make_order(distributor_a, routed_at=ROUTED)
    with time_machine.travel(ROUTED + dt.timedelta(hours=1), tick=False):
        actions.cancel(
            order,
            reason=Reason.objects.filter(action=Action.CANCEL, needs_other_folio=False).first(),
            by=dispatcher_a,
            acknowledged_policy=policy_for(Action.CANCEL, order.service_type),
        )
    assert colour_at(order, ROUTED + dt.timedelta(days=10)) == "closed"


# --- time zones ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_morning_appointment_in_mexico_city_turns_yellow_after_local_midnight_not_utcs(distributor_a):
    # Mexico City is UTC-6 all year (no summer time since 2022). The 19th's morning window ends
    # at 13:00 local = 19:00 UTC; INS turns yellow 12 h before: 01:00 local = 07:00 UTC.
    order = factories.make_order(
        distributor_a, routed_at=ROUTED, appointment_date=dt.date(2026, 11, 19), appointment_window="morning"
    )
    assert order.deadline == dt.datetime(2026, 11, 19, 19, 0, tzinfo=UTC)
    # 23:30 local on the 18th is already the 19th in UTC: still green.
    assert colour_at(order, dt.datetime(2026, 11, 19, 5, 30, tzinfo=UTC)) == "green"
    assert colour_at(order, dt.datetime(2026, 11, 19, 6, 59, 59, tzinfo=UTC)) == "green"  # 00:59:59 local
    assert colour_at(order, dt.datetime(2026, 11, 19, 7, 0, tzinfo=UTC)) == "yellow"  # 01:00 local
    assert colour_at(order, dt.datetime(2026, 11, 19, 18, 59, 59, tzinfo=UTC)) == "yellow"
    assert colour_at(order, dt.datetime(2026, 11, 19, 19, 0, tzinfo=UTC)) == "red"


@pytest.mark.django_db
def test_an_afternoon_appointment_in_mexico_city_ends_on_the_next_utc_day(distributor_a):
    order = factories.make_order(
        distributor_a, routed_at=ROUTED, appointment_date=dt.date(2026, 11, 19), appointment_window="afternoon"
    )
    # 19:00 local on the 19th is 01:00 UTC on the 20th.
    assert order.deadline == dt.datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    assert colour_at(order, dt.datetime(2026, 11, 20, 0, 59, 59, tzinfo=UTC)) == "yellow"
    assert colour_at(order, dt.datetime(2026, 11, 20, 1, 0, tzinfo=UTC)) == "red"


@pytest.fixture
def tijuana(catalogue):
    return factories.make_distributor(
        "tijuana",
        name="Distribuidor Tijuana",
        city="Tijuana",
        time_zone="America/Tijuana",
        base_latitude=Decimal("32.514900"),
        base_longitude=Decimal("-117.038200"),
        coverage_postal_codes=["22000"],
    )


def afternoon_in_tijuana(distributor, day: dt.date) -> Order:
    return factories.make_order(
        distributor,
        routed_at=dt.datetime(2026, 3, 5, 18, 0, tzinfo=UTC),
        appointment_date=day,
        appointment_window="afternoon",
        postal_code="22000",
        latitude=Decimal("32.520000"),
        longitude=Decimal("-117.030000"),
    )


@pytest.mark.django_db
def test_tijuanas_afternoon_window_follows_the_march_2026_change_to_summer_time(tijuana):
    # Tijuana moves from PST (UTC-8) to PDT (UTC-7) at 02:00 on Sunday 8 March 2026.
    saturday = afternoon_in_tijuana(tijuana, dt.date(2026, 3, 7))
    sunday = afternoon_in_tijuana(tijuana, dt.date(2026, 3, 8))
    monday = afternoon_in_tijuana(tijuana, dt.date(2026, 3, 9))
    assert saturday.deadline == dt.datetime(2026, 3, 8, 3, 0, tzinfo=UTC)  # 19:00 PST
    assert sunday.deadline == dt.datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # 19:00 PDT, an hour earlier in UTC
    assert monday.deadline == dt.datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    for order in (sunday, monday):
        local = order.deadline.astimezone(tijuana.zone)
        assert (local.hour, local.minute) == (19, 0)


@pytest.mark.django_db
def test_tijuanas_colours_around_the_deadline_on_the_day_of_the_change_and_the_day_after(tijuana):
    sunday = afternoon_in_tijuana(tijuana, dt.date(2026, 3, 8))
    monday = afternoon_in_tijuana(tijuana, dt.date(2026, 3, 9))
    for order in (sunday, monday):
        assert colour_at(order, order.deadline - SECOND) == "yellow"
        assert colour_at(order, order.deadline) == "red"
    # The warning margin is 12 elapsed hours: on the Sunday it starts at 07:00 PDT (14:00 UTC),
    # although the day began in PST.
    assert colour_at(sunday, dt.datetime(2026, 3, 8, 13, 59, 59, tzinfo=UTC)) == "green"
    assert colour_at(sunday, dt.datetime(2026, 3, 8, 14, 0, tzinfo=UTC)) == "yellow"
    # At 19:30 PST on the Saturday evening the Sunday folio is still green.
    assert colour_at(sunday, dt.datetime(2026, 3, 8, 3, 30, tzinfo=UTC)) == "green"


@pytest.mark.django_db
def test_an_sla_deadline_across_the_change_counts_elapsed_hours(tijuana):
    # Routed at 12:00 PST on Saturday; REP has 48 h: the deadline is 48 real hours later, which
    # the wall clock shows as 13:00 PDT on Monday.
    order = factories.make_order(
        tijuana,
        service_type="REP",
        routed_at=dt.datetime(2026, 3, 7, 20, 0, tzinfo=UTC),
        postal_code="22000",
        latitude=Decimal("32.520000"),
        longitude=Decimal("-117.030000"),
    )
    assert order.deadline == dt.datetime(2026, 3, 9, 20, 0, tzinfo=UTC)
    assert order.deadline.astimezone(tijuana.zone).hour == 13
    assert colour_at(order, order.deadline - SECOND) == "yellow"
    assert colour_at(order, order.deadline) == "red"
