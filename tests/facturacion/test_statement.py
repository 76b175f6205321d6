"""Facturación (prefactura): a period's billing lines, their totals with VAT, and the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from asignaciones import actions
from asignaciones.models import Action, Reason
from tests import factories

DAY = dt.datetime(2026, 11, 10, 17, 0, tzinfo=dt.UTC)  # 11:00 in Mexico City


def close(order, crew, dispatcher, technician, *, at: dt.datetime):
    with time_machine.travel(at, tick=False):
        actions.assign(order, crew, by=dispatcher)
        return actions.complete(
            order, by=technician, solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="INST_OK")]
        )


@pytest.fixture
def billed(distributor_a, distributor_b, crew_a1, crew_b1, dispatcher_a, technician_a, outsider):
    """Two completed folios of A in November (one outside the coverage, one late), one in
    October, and one of B in November."""
    with time_machine.travel(DAY - dt.timedelta(days=1), tick=False):
        inside = factories.make_order(distributor_a, folio="A-NOV-1")
        outside = factories.make_order(
            distributor_a,
            folio="A-NOV-2",
            postal_code="55000",
            latitude=Decimal("19.882300"),
            longitude=Decimal("-99.1332"),
        )
        of_b = factories.make_order(distributor_b, folio="B-NOV-1", postal_code="44100")
    with time_machine.travel(DAY - dt.timedelta(days=40), tick=False):
        october = factories.make_order(distributor_a, folio="A-OCT-1")
    close(inside, crew_a1, dispatcher_a, technician_a, at=DAY)
    close(outside, crew_a1, dispatcher_a, technician_a, at=DAY + dt.timedelta(days=4))  # 2 days past its 72 h SLA
    close(october, crew_a1, dispatcher_a, technician_a, at=DAY - dt.timedelta(days=39))
    technician_b = factories.make_technician("tecnico_b", crew_b1).user
    close(of_b, crew_b1, outsider, technician_b, at=DAY)
    return {"inside": inside, "outside": outside, "october": october, "b": of_b}


NOVEMBER = {"first": "2026-11-01", "last": "2026-11-30"}


def test_the_dispatcher_sees_the_periods_lines_and_totals_with_vat(client, dispatcher_a, billed):
    client.force_login(dispatcher_a)
    response = client.get(reverse("facturacion:statement"), NOVEMBER)
    assert response.status_code == 200
    page = response.text
    assert "A-NOV-1" in page and "A-NOV-2" in page
    assert "A-OCT-1" not in page and "B-NOV-1" not in page  # another period, another distributor
    totals = response.context["totals"]
    lines = [billed["inside"].billing_line, billed["outside"].billing_line]
    assert totals.lines == 2
    assert totals.subtotal == sum(line.total for line in lines)
    assert totals.mileage > 0 and totals.penalty == Decimal("90.00")  # 20 % of 450
    assert totals.vat == (totals.subtotal * Decimal("0.16")).quantize(Decimal("0.01"))
    assert totals.total == totals.subtotal + totals.vat
    assert "IVA (16 %)" in page


def test_the_csv_has_the_same_lines(client, owner_a, billed):
    client.force_login(owner_a)
    response = client.get(reverse("facturacion:statement_csv"), NOVEMBER)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["Distribuidor", "Folio"]
    assert sorted(row[1] for row in rows[1:]) == ["A-NOV-1", "A-NOV-2"]
    assert (
        sum(Decimal(row[-1]) for row in rows[1:])
        == billed["inside"].billing_line.total + billed["outside"].billing_line.total
    )


def test_the_back_office_sees_every_distributor_with_a_row_each(client, back_office, billed):
    client.force_login(back_office)
    response = client.get(reverse("facturacion:statement"), NOVEMBER)
    assert response.context["totals"].lines == 3
    assert [name for name, _ in response.context["by_distributor"]] == [
        "Distribuidor DIST-A",
        "Distribuidor Guadalajara",
    ]


def test_a_master_sees_its_distributors_only(client, master_viewer, billed):
    client.force_login(master_viewer)
    response = client.get(reverse("facturacion:statement"), NOVEMBER)
    assert response.context["totals"].lines == 2


def test_a_technician_may_not_open_billing(client, technician_a, billed):
    client.force_login(technician_a)
    assert client.get(reverse("facturacion:statement")).status_code == 403
    assert client.get(reverse("facturacion:statement_csv")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("facturacion:statement"))
    assert response.status_code == 302 and "/entrar/" in response["Location"]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"first": "2026-11-30", "last": "2026-11-01"}, "El periodo debe empezar antes de terminar."),
        ({"first": "2025-01-01", "last": "2026-11-01"}, "Elija un periodo de un año como máximo."),
        ({"first": "no-es-fecha", "last": "2026-11-01"}, "Introduzca una fecha válida."),
    ],
)
def test_a_bad_period_is_refused_with_a_message_not_a_500(client, dispatcher_a, period, message):
    client.force_login(dispatcher_a)
    response = client.get(reverse("facturacion:statement"), period)
    assert response.status_code == 400
    assert message in response.text


def test_post_is_not_allowed(client, dispatcher_a):
    client.force_login(dispatcher_a)
    assert client.post(reverse("facturacion:statement")).status_code == 405


def test_the_statement_costs_a_fixed_number_of_queries(client, dispatcher_a, billed, django_assert_max_num_queries):
    client.force_login(dispatcher_a)
    client.get(reverse("facturacion:statement"), NOVEMBER)
    with django_assert_max_num_queries(9):
        client.get(reverse("facturacion:statement"), NOVEMBER)
