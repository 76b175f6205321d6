"""The technician's day on a phone, in a real browser: the visits, check-in with the phone's
position, closing with material, serials and a photo; then the dispatcher sees the folio closed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PIL import Image

from asignaciones import actions
from asignaciones.models import Order
from cuadrillas.actions import stock
from cuadrillas.models import StockMovement
from tests import factories
from tests.e2e.conftest import PHONE, log_in, open_page, screenshot
from tests.factories import PASSWORD

# Standing about 30 m from the customer's door (19.390000, -99.170000).
AT_THE_CUSTOMER = {"latitude": 19.39027, "longitude": -99.17}


@pytest.fixture
def phone_with_location(browser):
    """A phone whose owner allowed the portal to read its position."""
    with open_page(
        browser, PHONE, permissions=("geolocation",), is_mobile=True, has_touch=True, geolocation=AT_THE_CUSTOMER
    ) as page:
        yield page


def jpeg(tmp_path) -> str:
    path = tmp_path / "antena.jpg"
    Image.new("RGB", (320, 240), "navy").save(path, "JPEG")
    return str(path)


@pytest.mark.django_db(transaction=True)
def test_a_technician_checks_in_and_closes_a_visit_on_a_phone_and_the_dispatcher_sees_it_closed(
    phone_with_location, page, live_server, distributor_a, crew_a1, dispatcher_a, technician_a, tmp_path
):
    phone = phone_with_location
    today = actions.local_today(distributor_a)
    order = actions.assign(
        factories.make_order(
            distributor_a,
            folio="F-E2E-1",
            between_streets="Calle Uxmal y Calle Xola",
            references="Casa azul con portón negro",
            appointment_date=today,
            appointment_window="afternoon",
        ),
        crew_a1,
        by=dispatcher_a,
    )
    stock.record_handover(crew_a1, _material("RG6"), by=dispatcher_a, quantity=Decimal("100"))

    log_in(phone, live_server, "tecnico_a", PASSWORD)
    assert phone.url.endswith("/tecnico/")
    card = phone.locator(".visit-card", has_text="F-E2E-1")
    assert "Calle Uxmal y Calle Xola" in card.inner_text()
    assert card.locator("a[href^='geo:19.390000,-99.170000']").count() == 1
    assert card.locator("a[href='tel:5550001111']").count() == 1
    screenshot(phone, "tecnico-visitas-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling

    card.get_by_role("link", name="Abrir").click()
    phone.get_by_role("button", name="Llegué con el cliente (registrar llegada)").click()
    phone.wait_for_selector("#check-in")
    assert "a 30 m del cliente" in phone.locator("#check-in").inner_text()
    screenshot(phone, "tecnico-visita-llegada-phone")
    assert Order.objects.get(pk=order.pk).status == Order.Status.IN_PROGRESS

    phone.get_by_role("link", name="Cerrar la visita").click()
    phone.select_option("#id_solution_code_1", label="Instalado OK")
    phone.fill("#id_comments", "Antena de 60 cm instalada, señal al 85 %")
    phone.select_option("#id_material-0-material", label="IRD-HD · IRD HD")
    phone.fill("#id_material-0-serial_number", "IRDHD-000123")
    phone.select_option("#id_material-1-material", label="TARJETA · Tarjeta inteligente")
    phone.fill("#id_material-1-serial_number", "TJ-998877")
    phone.select_option("#id_material-2-material", label="RG6 · Cable RG6")
    phone.fill("#id_material-2-quantity", "25")
    phone.get_by_role("button", name="Agregar un renglón").click()  # a fourth line, added by the page's script
    phone.select_option("#id_material-3-material", label="CON-F · Conector F de compresión")
    phone.fill("#id_material-3-quantity", "4")
    phone.set_input_files("#id_photos", jpeg(tmp_path))
    screenshot(phone, "tecnico-cierre-phone")
    phone.get_by_role("button", name="Cerrar folio F-E2E-1").click()
    phone.wait_for_url("**/tecnico/")
    assert "Folio F-E2E-1 cerrado. ¡Gracias!" in phone.content()
    screenshot(phone, "tecnico-cerrado-phone")

    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert order.closing_latitude == Decimal("19.390270")
    assert sorted(order.materials.values_list("material__code", "serial_number")) == [
        ("CON-F", ""),
        ("IRD-HD", "IRDHD-000123"),
        ("RG6", ""),
        ("TARJETA", "TJ-998877"),
    ]
    assert StockMovement.objects.filter(crew=crew_a1, kind="consumption").count() == 4
    assert order.photos.count() == 1

    log_in(page, live_server, "dispatcher_a", PASSWORD)
    page.goto(f"{live_server.url}/asignaciones/folio/F-E2E-1/")
    assert "Cumplida" in page.locator("h1").inner_text()
    page.wait_for_selector(".visit-control")
    control = page.locator("#visit-control").inner_text()
    assert "a 30 m del cliente" in control
    assert page.locator("#visit-control img").count() == 1
    screenshot(page, "tecnico-control-de-visitas-desktop")


def _material(code: str):
    from asignaciones.models import Material

    return Material.objects.get(code=code)


@pytest.mark.django_db(transaction=True)
def test_a_refused_location_offers_the_check_in_without_position(
    phone_page, live_server, assigned_order_a, technician_a
):
    phone = phone_page
    log_in(phone, live_server, "tecnico_a", PASSWORD)
    phone.goto(f"{live_server.url}/tecnico/visita/{assigned_order_a.folio}/")
    phone.get_by_role("button", name="Llegué con el cliente (registrar llegada)").click()
    fallback = phone.get_by_role("button", name="Registrar llegada sin mi ubicación")
    fallback.wait_for(state="visible")
    assert "No permitió que el navegador leyera su ubicación." in phone.locator("[data-geo-status]").inner_text()
    screenshot(phone, "tecnico-sin-ubicacion-phone")
    fallback.click()
    phone.wait_for_selector("#check-in")
    assert "sin ubicación" in phone.locator("#check-in").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_new_assignment_appears_on_the_technicians_page_without_a_reload(
    phone_with_location, live_server, distributor_a, crew_a1, dispatcher_a, technician_a
):
    phone = phone_with_location
    phone.clock.install()
    log_in(phone, live_server, "tecnico_a", PASSWORD)
    assert "No hay visitas para hoy." in phone.content()
    order = actions.assign(factories.make_order(distributor_a, folio="F-NUEVO"), crew_a1, by=dispatcher_a)
    from asignaciones import notifications

    notifications.deliver_event(order.events.get(kind="assigned").pk)  # what the worker does
    phone.clock.run_for(31_000)  # htmx polls every 30 s
    phone.locator(".visit-card", has_text="F-NUEVO").wait_for()
    assert "Nuevo folio F-NUEVO para su cuadrilla" in phone.locator("#visits").inner_text()
    screenshot(phone, "tecnico-nueva-asignacion-phone")
