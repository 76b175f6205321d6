"""The board's exports (XLSX and CSV) carry the same filtered rows, with Spanish columns."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories


@pytest.fixture
def folios(distributor_a, distributor_b):
    factories.make_order(distributor_a, folio="X-1", customer_name="Ana Núñez", between_streets="Roble y Pino")
    factories.make_order(distributor_a, folio="X-2", service_type="REP")
    factories.make_order(distributor_b, folio="Y-1")


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_export_streams_the_filtered_board_with_spanish_columns(client, dispatcher_a, folios):
    client.force_login(dispatcher_a)
    response = client.get(reverse("asignaciones:export_csv"), {"type": "", "q": "X-1"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:4] == ["Folio", "Estado", "Semáforo", "Tiempo restante"]
    assert "Entre calles" in header and "Cuadrilla" in header
    assert [r[0] for r in rows] == ["X-1"]
    row = dict(zip(header, rows[0], strict=True))
    assert row["Cliente"] == "Ana Núñez"
    assert row["Entre calles"] == "Roble y Pino"
    assert row["Estado"] == "Por asignar"
    assert row["Semáforo"] == "En tiempo"


def test_the_xlsx_export_holds_every_folio_of_the_tab_and_nothing_of_other_distributors(client, dispatcher_a, folios):
    client.force_login(dispatcher_a)
    response = client.get(reverse("asignaciones:export_xlsx"), {"sort": "folio"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Folio" and rows[0][4] == "Tipo de orden"
    assert [r[0] for r in rows[1:]] == ["X-1", "X-2"]
    assert rows[2][4] == "REP"


def test_exports_follow_the_tab(client, dispatcher_a, folios):
    client.force_login(dispatcher_a)
    assert csv_rows(client.get(reverse("asignaciones:export_csv"), {"tab": "closed"}))[1:] == []


def test_a_technician_cannot_export(client, technician_a):
    client.force_login(technician_a)
    assert client.get(reverse("asignaciones:export_csv")).status_code == 403
    assert client.get(reverse("asignaciones:export_xlsx")).status_code == 403
