"""The mileage map in a real browser with no tile server: the markers still show."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in, screenshot
from tests.e2e.test_dashboard import seed_a_busy_day
from tests.factories import PASSWORD

UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # nothing listens there: like having no internet


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_map_draws_bases_folios_and_coverage_without_tiles(
    request, device, live_server, settings, catalogue, distributor_a, crew_a1, crew_a2, dispatcher_a
):
    settings.MAP_TILE_URL = UNREACHABLE_TILES
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    seed_a_busy_day(distributor_a, [crew_a1, crew_a2], dispatcher_a)
    log_in(page, live_server, "dispatcher_a", PASSWORD)
    page.goto(f"{live_server.url}/cuadrillas/mapa/")
    page.wait_for_selector("#map .leaflet-interactive")
    folios = page.locator("table.map-orders tbody tr").count()
    assert folios > 0
    assert int(page.get_attribute("#map", "data-markers")) == folios + 2  # and the two crews' bases
    assert page.locator("#map .map-base-icon").count() == 2
    assert page.locator("#map path.leaflet-interactive").count() >= folios + 1  # folios + coverage circle
    assert "03100" in page.inner_text("main")  # the listed postal code, named in the legend
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    screenshot(page, f"map-{device}")


@pytest.mark.django_db(transaction=True)
def test_the_mileage_pages_in_a_browser(
    page, phone_page, live_server, catalogue, distributor_a, crew_a1, crew_a2, dispatcher_a
):
    seed_a_busy_day(distributor_a, [crew_a1, crew_a2], dispatcher_a)
    for device, p in (("desktop", page), ("phone", phone_page)):
        log_in(p, live_server, "dispatcher_a", PASSWORD)
        p.goto(f"{live_server.url}/cuadrillas/kilometraje/")
        p.wait_for_selector(".mileage-distributor")
        screenshot(p, f"mileage-{device}")
        p.goto(f"{live_server.url}/cuadrillas/kilometraje/cuadrilla/{crew_a1.pk}/")
        p.wait_for_selector("[data-total=route_km]")
        screenshot(p, f"mileage-crew-day-{device}")
