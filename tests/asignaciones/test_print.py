"""The printable service order (ODR): a PDF for the crew, scoped to the folio's distributor."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from asignaciones import pdf


def test_the_odr_is_an_inline_pdf_with_the_folio_address_and_materials(client, dispatcher_a, distributor_a):
    from tests import factories

    order = factories.make_order(
        distributor_a, between_streets="Calle Roble y Calle Pino", references="Portón verde", service_type="INS"
    )
    client.force_login(dispatcher_a)
    response = client.get(reverse("asignaciones:print", args=[order.folio]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    html = pdf.service_order_html(order)
    for expected in (order.folio, "Calle Roble y Calle Pino", "Portón verde", "Antena", "Técnico: nombre y firma"):
        assert expected in html
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
        assert order.folio in text.decode()
        assert "Cliente: nombre y firma" in text.decode()


@pytest.mark.parametrize("code", ["INS", "REC", "REP"])
def test_every_type_has_a_packing_list(code, catalogue):
    from asignaciones.models import ServiceType

    assert pdf.materials_to_bring(ServiceType.objects.get(code=code))


def test_another_distributors_odr_is_a_404(client, outsider, order_a):
    client.force_login(outsider)
    assert client.get(reverse("asignaciones:print", args=[order_a.folio])).status_code == 404
