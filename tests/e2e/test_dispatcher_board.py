"""A dispatcher's morning in a real browser: filter the board, assign a folio from the ranked
list, reschedule another under its policy, and find both in the history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from asignaciones.models import Order, OrderEvent
from tests import factories
from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD


@pytest.fixture
def morning(distributor_a, crew_a1, crew_a2, dispatcher_a):
    first = factories.make_order(
        distributor_a, folio="SKY-1001", customer_name="Rosa Martínez", between_streets="Roble y Pino"
    )
    second = factories.make_order(distributor_a, folio="SKY-1002", customer_name="Jorge Salas", service_type="REP")
    for n in range(6):
        factories.make_order(
            distributor_a, folio=f"SKY-20{n:02d}", routed_at=timezone.now() - dt.timedelta(hours=20 * n)
        )
    return first, second


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_filters_assigns_and_reschedules_from_the_board(page, live_server, morning):
    _first, second = morning
    log_in(page, live_server, "dispatcher_a", PASSWORD)
    page.goto(f"{live_server.url}/asignaciones/")
    assert page.locator("#board-table tbody tr").count() == 8
    screenshot(page, "board-desktop")

    page.fill("input[name=q]", "Rosa")
    page.click("#board-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "q=Rosa" in page.url  # the filters live in the URL
    rows = page.locator("#board-table tbody tr")
    assert rows.count() == 1
    page.click("text=SKY-1001")

    page.click("#order-actions >> text=Asignar")
    assert page.locator("#ranked-crews tbody tr").first.inner_text().strip().startswith("A1")
    page.check("#ranked-crews input[type=radio] >> nth=0")
    page.click("button[type=submit]:has-text('Asignar')")
    page.wait_for_load_state("networkidle")
    assert "Folio SKY-1001 asignado a A1." in page.content()
    screenshot(page, "folio-detail-desktop")

    page.goto(f"{live_server.url}/asignaciones/folio/SKY-1002/reagendar/")
    tomorrow = timezone.now().astimezone(second.distributor.zone).date() + dt.timedelta(days=1)
    page.fill("input[name=date]", tomorrow.isoformat())
    page.check("input[name=window][value=afternoon]")
    page.select_option("select[name=reason]", label="Cliente solicita otra fecha")
    page.click("main button[type=submit]")
    assert "Lea la política y marque la casilla." in page.content()  # the acknowledgement is required
    page.check("input[name=acknowledged_policy]")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Folio SKY-1002 reagendado." in page.content()
    history = page.locator("#history").inner_text()
    assert "Reagendada" in history or "Reprogramad" in history or "reagend" in history.lower()
    assert "Política leída: Política de reagendado de visitas (versión 1)" in history

    page.goto(f"{live_server.url}/asignaciones/folio/SKY-1001/")
    assert "A1" in page.locator("#history").inner_text()
    assert Order.objects.get(folio="SKY-1001").status == Order.Status.ASSIGNED
    assert OrderEvent.objects.filter(order__folio="SKY-1002", kind="rescheduled").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_board_and_a_folio_fit_a_phone(phone_page, live_server, morning, crew_a1, dispatcher_a):
    from asignaciones import actions

    actions.assign(morning[0], crew_a1, by=dispatcher_a)
    log_in(phone_page, live_server, "dispatcher_a", PASSWORD)
    phone_page.goto(f"{live_server.url}/asignaciones/")
    screenshot(phone_page, "board-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400  # the table scrolls inside its own box, not the page
    phone_page.goto(f"{live_server.url}/asignaciones/folio/SKY-1001/")
    assert "Rosa Martínez" in phone_page.content()
    screenshot(phone_page, "folio-detail-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 400
