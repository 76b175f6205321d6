"""The dashboard in a real browser, on a desktop and on a phone, with screenshots to look at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from asignaciones import actions
from asignaciones.models import Action, Reason
from tests import factories
from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD


def seed_a_busy_day(distributor, crews, dispatcher) -> None:
    """A distributor's day with folios of every colour, some closings of the last days, crews
    and order types spread about, and one folio outside the coverage."""
    for crew in crews:  # room for the whole demo day
        crew.daily_capacity = 30
        crew.save(update_fields=["daily_capacity"])
    now = timezone.now()
    today = now.astimezone(distributor.zone).date()
    closing = Reason.objects.filter(action=Action.COMPLETE).first()
    types = ["INS", "REP", "CDOM", "GAR", "REC"]
    # The fifth spot is outside the 40 km radius (and its postal code is not listed).
    spots = [(19.39, -99.17), (19.42, -99.13), (19.30, -99.10), (19.45, -99.20), (19.90, -99.16), (19.36, -99.05)]
    for i in range(18):
        lat, lon = spots[i % len(spots)]
        hours_ago = [1, 5, 20, 40, 55, 62, 66, 70, 80, 100][i % 10]
        order = factories.make_order(
            distributor,
            service_type=types[i % len(types)],
            brand=["sky", "vetv", "blue"][i % 3],
            routed_at=now - dt.timedelta(hours=hours_ago),
            latitude=Decimal(f"{lat + i * 0.001:.6f}"),
            longitude=Decimal(f"{lon:.6f}"),
            postal_code="03100" if i % 4 == 0 else "06000",
            **(
                {"appointment_date": today, "appointment_window": ["morning", "afternoon"][i % 2]} if i % 3 == 0 else {}
            ),
        )
        if i % 3 != 2:
            actions.assign(order, crews[i % len(crews)], by=dispatcher)
    # Closings over the last two weeks, one in four late.
    for i in range(26):
        routed = now - dt.timedelta(days=14 - i // 2, hours=3)
        order = factories.make_order(distributor, service_type="REP", routed_at=routed)  # 48 h SLA
        actions.assign(order, crews[i % len(crews)], by=dispatcher)
        with time_machine.travel(routed + dt.timedelta(hours=50 if i % 4 == 0 else 20), tick=False):
            actions.complete(order, by=dispatcher, solution_codes=[closing])


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_on_a_desktop_shows_the_colours_charts_and_lists(
    page, live_server, catalogue, distributor_a, crew_a1, crew_a2, dispatcher_a
):
    seed_a_busy_day(distributor_a, [crew_a1, crew_a2], dispatcher_a)
    log_in(page, live_server, "dispatcher_a", PASSWORD)
    assert page.url.endswith("/grafica/")  # the home page of a distributor
    page.wait_for_selector("svg.chart-columns")
    for label in ("En tiempo", "Por vencer", "Vencid"):
        assert label in page.inner_text(".row.g-2.mb-3")
    assert page.locator("svg.chart-bar").count() >= 4
    assert page.locator(".dashboard-list-red li a").count() >= 1
    screenshot(page, "dashboard-desktop")
    # The htmx refresh swaps in the panel without losing its polling.
    page.evaluate("htmx.trigger('#dashboard-panel', 'every 60s')")
    page.evaluate(
        "htmx.ajax('GET', document.querySelector('#dashboard-panel').getAttribute('hx-get'),"
        " {target: '#dashboard-panel', swap: 'outerHTML'})"
    )
    page.wait_for_timeout(500)
    assert page.locator("#dashboard-panel[hx-trigger='every 60s']").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_fits_a_phone(phone_page, live_server, catalogue, distributor_a, crew_a1, crew_a2, dispatcher_a):
    seed_a_busy_day(distributor_a, [crew_a1, crew_a2], dispatcher_a)
    log_in(phone_page, live_server, "dispatcher_a", PASSWORD)
    phone_page.wait_for_selector("svg.chart-columns")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    screenshot(phone_page, "dashboard-phone")


@pytest.mark.django_db(transaction=True)
def test_a_master_sees_its_distributors_ranked(
    page, live_server, catalogue, master, distributor_a, crew_a1, crew_a2, dispatcher_a, master_viewer
):
    seed_a_busy_day(distributor_a, [crew_a1, crew_a2], dispatcher_a)
    other = factories.make_distributor("dist-c", master=master, name="Distribuidor Puebla")
    factories.make_order(other, routed_at=timezone.now() - dt.timedelta(hours=100))
    log_in(page, live_server, "master_viewer", PASSWORD)
    page.wait_for_selector("table.ranking-red")
    ranking = page.inner_text("table.ranking-red")
    assert "Distribuidor Puebla" in ranking and "Distribuidor DIST-A" in ranking
    screenshot(page, "dashboard-master-desktop")
