"""A technician's request reaches the dispatcher's folio page, where it is accepted; and the
materials pages, looked at in a browser."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from asignaciones import actions
from asignaciones.actions import visits
from asignaciones.models import Action, Material, Order, Reason, TechnicianRequest
from cuadrillas.actions import stock
from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_the_dispatcher_accepts_a_reschedule_request_from_the_folio_page(
    page, live_server, assigned_order_a, technician_a, dispatcher_a
):
    day = actions.local_today(assigned_order_a.distributor) + dt.timedelta(days=2)
    visits.request_reschedule(
        assigned_order_a,
        by=technician_a,
        reason=Reason.objects.get(action=Action.RESCHEDULE, code="OTRA_FECHA"),
        date=day,
        window=Order.Window.MORNING,
        note="El cliente sale de viaje",
    )
    log_in(page, live_server, "dispatcher_a", PASSWORD)
    page.goto(f"{live_server.url}/asignaciones/folio/{assigned_order_a.folio}/")
    item = page.locator("#visit-control .request-item")
    item.wait_for()
    assert "El cliente sale de viaje" in item.inner_text()
    screenshot(page, "solicitud-en-folio-desktop")
    item.get_by_label("He leído y acepto «Política de reagendado de visitas» (versión 1)").check()
    item.get_by_role("button", name="Aceptar y reagendar").click()
    page.wait_for_load_state("networkidle")
    assert f"/asignaciones/folio/{assigned_order_a.folio}/" in page.url
    assert "aceptada; se avisó al técnico" in page.content()
    assert TechnicianRequest.objects.get().status == TechnicianRequest.Status.ACCEPTED
    assert Order.objects.get(pk=assigned_order_a.pk).appointment_date == day


@pytest.mark.django_db(transaction=True)
def test_the_materials_pages_on_a_desktop_and_a_phone(page, phone_page, live_server, crew_a1, crew_a2, dispatcher_a):
    stock.record_handover(crew_a1, Material.objects.get(code="RG6"), by=dispatcher_a, quantity=Decimal("150"))
    stock.record_handover(crew_a1, Material.objects.get(code="IRD-HD"), by=dispatcher_a, serials=["H1", "H2", "H3"])
    stock.record_handover(crew_a2, Material.objects.get(code="CON-F"), by=dispatcher_a, quantity=Decimal("40"))
    for browser_page, name in ((page, "materiales-desktop"), (phone_page, "materiales-phone")):
        log_in(browser_page, live_server, "dispatcher_a", PASSWORD)
        browser_page.goto(f"{live_server.url}/cuadrillas/materiales/")
        assert "Saldos por cuadrilla" in browser_page.content()
        screenshot(browser_page, name)
    page.get_by_role("link", name="Reporte por periodo").click()
    assert "Descargar CSV" in page.content()
    screenshot(page, "materiales-reporte-desktop")
