"""The materials pages: balances, handovers, the report per crew and period with CSV, tenancy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from asignaciones.models import Material
from cuadrillas.actions import stock
from cuadrillas.models import StockMovement

pytestmark = pytest.mark.django_db


def mat(code: str) -> Material:
    return Material.objects.get(code=code)


def test_the_dispatcher_sees_only_their_crews_balances_in_a_fixed_number_of_queries(
    client, dispatcher_a, crew_a1, crew_a2, crew_b1, back_office, django_assert_max_num_queries
):
    stock.record_handover(crew_a1, mat("RG6"), by=dispatcher_a, quantity=Decimal("50"))
    stock.record_handover(crew_a2, mat("CON-F"), by=dispatcher_a, quantity=Decimal("12"))
    stock.record_handover(crew_b1, mat("GRAPAS"), by=back_office, quantity=Decimal("7"))
    client.force_login(dispatcher_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cuadrillas:materials"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-balance="A1-RG6">50<' in page and 'data-balance="A2-CON-F">12<' in page
    assert "B1-GRAPAS" not in page
    assert "Registrar un movimiento" in page


def test_the_back_office_sees_every_distributors_crews(client, back_office, crew_a1, crew_b1, dispatcher_a):
    stock.record_handover(crew_a1, mat("RG6"), by=dispatcher_a, quantity=Decimal("1"))
    stock.record_handover(crew_b1, mat("RG6"), by=back_office, quantity=Decimal("2"))
    client.force_login(back_office)
    page = client.get(reverse("cuadrillas:materials")).content.decode()
    assert 'data-balance="A1-RG6"' in page and 'data-balance="B1-RG6"' in page


def test_recording_a_handover_through_the_form(client, dispatcher_a, crew_a1):
    client.force_login(dispatcher_a)
    url = reverse("cuadrillas:material_handover")
    assert client.get(url).status_code == 405
    response = client.post(
        url, {"crew": crew_a1.pk, "kind": "entry", "material": mat("TARJETA").pk, "serials": "T1\nT2\n"}, follow=True
    )
    assert "2 movimiento(s) de TARJETA registrado(s) para la cuadrilla A1." in response.content.decode()
    assert StockMovement.objects.filter(crew=crew_a1).count() == 2


def test_a_refused_handover_shows_the_error_on_the_form(client, dispatcher_a, crew_a1):
    client.force_login(dispatcher_a)
    response = client.post(
        reverse("cuadrillas:material_handover"), {"crew": crew_a1.pk, "kind": "entry", "material": mat("TARJETA").pk}
    )
    assert response.status_code == 400
    assert "Indique el número de serie de cada TARJETA" in response.content.decode()


def test_another_distributors_crew_cannot_be_chosen(client, outsider, crew_a1):
    client.force_login(outsider)
    response = client.post(
        reverse("cuadrillas:material_handover"),
        {"crew": crew_a1.pk, "kind": "entry", "material": mat("RG6").pk, "quantity": "5"},
    )
    assert response.status_code == 400
    assert not StockMovement.objects.exists()


def test_technicians_do_not_see_the_materials_pages(client, technician_a):
    client.force_login(technician_a)
    for name in ("materials", "material_report", "material_catalogue"):
        assert client.get(reverse(f"cuadrillas:{name}")).status_code == 403


def test_a_master_viewer_reads_balances_without_the_handover_form(client, master_viewer, crew_a1, dispatcher_a):
    stock.record_handover(crew_a1, mat("RG6"), by=dispatcher_a, quantity=Decimal("3"))
    client.force_login(master_viewer)
    page = client.get(reverse("cuadrillas:materials")).content.decode()
    assert 'data-balance="A1-RG6"' in page and "Registrar un movimiento" not in page


def test_the_report_per_crew_and_period_and_its_csv(client, dispatcher_a, crew_a1, crew_a2):
    zone = crew_a1.distributor.zone
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=zone), tick=False):
        stock.record_handover(crew_a1, mat("RG6"), by=dispatcher_a, quantity=Decimal("100"))
    with time_machine.travel(dt.datetime(2026, 12, 2, 12, tzinfo=zone), tick=False):
        stock.record_handover(crew_a1, mat("RG6"), by=dispatcher_a, quantity=Decimal("20"))
        stock.record_handover(crew_a1, mat("RG6"), by=dispatcher_a, kind="return", quantity=Decimal("5"))
        stock.record_handover(crew_a2, mat("CON-F"), by=dispatcher_a, quantity=Decimal("4"))
    with time_machine.travel(dt.datetime(2026, 12, 10, 12, tzinfo=zone), tick=False):
        stock.record_handover(crew_a1, mat("RG6"), by=dispatcher_a, quantity=Decimal("1000"))  # after the period
    client.force_login(dispatcher_a)
    params = {"start": "2026-12-01", "end": "2026-12-05", "crew": crew_a1.pk}
    page = client.get(reverse("cuadrillas:material_report"), params).content.decode()
    assert "CON-F" not in page
    response = client.get(reverse("cuadrillas:material_report"), {**params, "formato": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="material_20261201_20261205.csv"' in response["Content-Disposition"]
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("Distribuidor,Cuadrilla,Nombre de la cuadrilla,Material")
    assert lines[1].endswith("RG6,Cable RG6,metro,100,20,0,0,5,115")
    assert len(lines) == 2


def test_a_backwards_period_is_an_error(client, dispatcher_a):
    client.force_login(dispatcher_a)
    response = client.get(reverse("cuadrillas:material_report"), {"start": "2026-12-05", "end": "2026-12-01"})
    assert "El periodo termina antes de empezar." in response.content.decode()


def test_the_report_defaults_to_this_month(client, dispatcher_a):
    client.force_login(dispatcher_a)
    response = client.get(reverse("cuadrillas:material_report"))
    today = timezone.localdate()
    assert response.status_code == 200
    assert f'value="{today.replace(day=1).isoformat()}"' in response.content.decode()


def test_the_catalogue_lists_materials_with_their_brands(client, dispatcher_a, django_assert_max_num_queries):
    client.force_login(dispatcher_a)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("cuadrillas:material_catalogue")).content.decode()
    assert "Tarjeta inteligente" in page and "SKY, VeTV" in page
