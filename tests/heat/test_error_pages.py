"""Error pages speak Spanish and never tell another tenant's folio from a missing one."""

import re

from django.template.loader import render_to_string
from django.urls import reverse


def test_an_unknown_page_is_a_spanish_404(client, dispatcher_a):
    client.force_login(dispatcher_a)
    response = client.get("/no-existe/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.text
    assert "Cerrar sesión" in response.text  # the portal's own layout, with its menu


def test_another_distributors_folio_shows_the_same_404_page_as_a_missing_one(client, outsider, order_a):
    client.force_login(outsider)
    foreign = client.get(reverse("asignaciones:order", args=[order_a.folio]))
    missing = client.get(reverse("asignaciones:order", args=["NO-EXISTE"]))
    assert foreign.status_code == missing.status_code == 404

    def page(response, folio: str) -> str:
        # The CSRF token is masked anew on every response; everything else must be identical.
        return re.sub(r"[A-Za-z0-9]{64}", "", response.text).replace(folio, "")

    assert page(foreign, order_a.folio) == page(missing, "NO-EXISTE")


def test_the_server_error_page_needs_no_context_and_is_spanish():
    html = render_to_string("500.html")
    assert "Algo salió mal" in html
