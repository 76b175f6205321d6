"""Crews pages: the owner creates, edits and moves technicians; dispatchers read; others 404/403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asignaciones.models import Brand, ServiceType
from cuadrillas.models import Crew, Technician
from tests import factories

CREWS = reverse("cuadrillas:crews")


def crew_data(**extra) -> dict:
    return {
        "code": "A9",
        "name": "Cuadrilla Norte",
        "base_latitude": "19.500000",
        "base_longitude": "-99.150000",
        "brands": [b.pk for b in Brand.objects.filter(code="sky")],
        "service_types": [t.pk for t in ServiceType.objects.filter(code__in=["INS", "REP"])],
        "daily_capacity": 5,
        "active": "on",
        **extra,
    }


def test_the_list_shows_crews_technicians_and_todays_load(
    client, dispatcher_a, assigned_order_a, crew_a2, technician_a, crew_b1, django_assert_max_num_queries
):
    client.force_login(dispatcher_a)
    with django_assert_max_num_queries(10):
        response = client.get(CREWS)
    assert response.status_code == 200
    crews = {c.code: c for c in response.context["crews"]}
    assert set(crews) == {"A1", "A2"}
    assert crews["A1"].load == 1 and crews["A2"].load == 0
    assert "Tecnico_A" in response.text
    assert "las crea únicamente la oficina central" in response.text
    assert reverse("cuadrillas:crew_create") not in response.text  # dispatchers only read


def test_the_owner_creates_a_crew(client, owner_a, distributor_a):
    client.force_login(owner_a)
    response = client.post(reverse("cuadrillas:crew_create"), crew_data(), follow=True)
    crew = Crew.objects.get(distributor=distributor_a, code="A9")
    assert crew.daily_capacity == 5
    assert list(crew.brands.values_list("code", flat=True)) == ["sky"]
    assert "Cuadrilla A9 creada." in [str(m) for m in response.context["messages"]]


def test_a_taken_code_is_refused_with_a_message(client, owner_a, crew_a1):
    client.force_login(owner_a)
    response = client.post(reverse("cuadrillas:crew_create"), crew_data(code="a1"))
    assert response.status_code == 400
    assert "ya tiene una cuadrilla con clave a1" in response.text


def test_the_owner_edits_a_crew(client, owner_a, crew_a1):
    client.force_login(owner_a)
    client.post(reverse("cuadrillas:crew_edit", args=[crew_a1.pk]), crew_data(code="A1", daily_capacity=9))
    crew_a1.refresh_from_db()
    assert crew_a1.daily_capacity == 9


def test_a_crew_with_open_folios_cannot_be_deactivated(client, owner_a, assigned_order_a, crew_a1):
    client.force_login(owner_a)
    data = crew_data(code="A1", service_types=[t.pk for t in ServiceType.objects.all()])
    data["brands"] = [b.pk for b in Brand.objects.all()]
    del data["active"]
    response = client.post(reverse("cuadrillas:crew_edit", args=[crew_a1.pk]), data)
    assert response.status_code == 400
    crew_a1.refresh_from_db()
    assert crew_a1.active


def test_the_owner_moves_a_technician_to_another_crew(client, owner_a, technician_a, crew_a1, crew_a2):
    client.force_login(owner_a)
    tech = Technician.objects.get(user=technician_a)
    response = client.post(
        reverse("cuadrillas:technician_move", args=[crew_a1.pk]),
        {"technician": tech.pk, "crew": crew_a2.pk},
        follow=True,
    )
    tech.refresh_from_db()
    assert tech.crew == crew_a2
    assert any("movido a la cuadrilla A2" in str(m) for m in response.context["messages"])


def test_a_technician_cannot_be_moved_to_another_distributors_crew(client, owner_a, technician_a, crew_a1, crew_b1):
    client.force_login(owner_a)
    tech = Technician.objects.get(user=technician_a)
    client.post(reverse("cuadrillas:technician_move", args=[crew_a1.pk]), {"technician": tech.pk, "crew": crew_b1.pk})
    tech.refresh_from_db()
    assert tech.crew == crew_a1


@pytest.mark.parametrize("name", ["crew_create"])
def test_dispatchers_cannot_create_crews(client, dispatcher_a, name):
    client.force_login(dispatcher_a)
    assert client.get(reverse(f"cuadrillas:{name}")).status_code == 403


def test_dispatchers_cannot_edit_crews_or_move_technicians(client, dispatcher_a, crew_a1):
    client.force_login(dispatcher_a)
    assert client.get(reverse("cuadrillas:crew_edit", args=[crew_a1.pk])).status_code == 403
    assert client.post(reverse("cuadrillas:technician_move", args=[crew_a1.pk])).status_code == 403


@pytest.mark.parametrize("name", ["crew", "crew_edit"])
def test_another_distributors_crew_is_a_404(client, distributor_b, crew_a1, name):
    owner_b = factories.make_member("owner_b", distributor_b, "owner")
    client.force_login(owner_b)
    assert client.get(reverse(f"cuadrillas:{name}", args=[crew_a1.pk])).status_code == 404
    assert client.post(reverse("cuadrillas:technician_move", args=[crew_a1.pk]), {}).status_code == 404


def test_moving_a_technician_answers_only_post(client, owner_a, crew_a1):
    client.force_login(owner_a)
    assert client.get(reverse("cuadrillas:technician_move", args=[crew_a1.pk])).status_code == 405


def test_a_technician_cannot_reach_the_crews_pages(client, technician_a, crew_a1):
    client.force_login(technician_a)
    assert client.get(CREWS).status_code == 403
    assert client.get(reverse("cuadrillas:crew", args=[crew_a1.pk])).status_code == 403


def test_the_crew_detail_lists_its_open_folios(client, dispatcher_a, assigned_order_a, crew_a1):
    client.force_login(dispatcher_a)
    response = client.get(reverse("cuadrillas:crew", args=[crew_a1.pk]))
    assert response.status_code == 200
    assert assigned_order_a.folio in response.text
