"""The Distributor page (own data; the owner edits) and the Master page (read-only counts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from heat.models import ContactPerson
from tests import factories

PAGE = reverse("distributor")
EDIT = reverse("distributor_edit")
MASTER = reverse("master")


def edit_data(**extra) -> dict:
    data = {
        "phone": "5512340000",
        "email": "contacto@dist-a.example",
        "address": "Av. Universidad 100",
        "coverage_postal_codes": "03100, 04000",
        "coverage_radius_km": "35",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-name": "Laura Gómez",
        "contacts-0-position": "Coordinadora",
        "contacts-0-phone": "5598765432",
        "contacts-0-email": "laura@dist-a.example",
    }
    data.update(extra)
    return data


def test_staff_read_their_distributors_data(client, dispatcher_a, distributor_a):
    ContactPerson.objects.create(distributor=distributor_a, name="Pedro Ruiz", phone="5511111111")
    client.force_login(dispatcher_a)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "Pedro Ruiz" in response.text and "03100" in response.text
    assert EDIT not in response.text  # dispatchers read only


def test_the_owner_edits_coverage_and_contacts(client, owner_a, distributor_a):
    client.force_login(owner_a)
    response = client.post(EDIT, edit_data(), follow=True)
    distributor_a.refresh_from_db()
    assert distributor_a.coverage_postal_codes == ["03100", "04000"]
    assert distributor_a.coverage_radius_km == Decimal("35")
    assert list(distributor_a.contacts.values_list("name", flat=True)) == ["Laura Gómez"]
    assert "Se guardaron los datos del distribuidor." in [str(m) for m in response.context["messages"]]


def test_a_bad_postal_code_is_a_field_error_and_nothing_changes(client, owner_a, distributor_a):
    client.force_login(owner_a)
    response = client.post(EDIT, edit_data(coverage_postal_codes="0310"))
    assert response.status_code == 400
    distributor_a.refresh_from_db()
    assert distributor_a.coverage_postal_codes == ["03100"]


def test_a_dispatcher_cannot_edit(client, dispatcher_a):
    client.force_login(dispatcher_a)
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, edit_data()).status_code == 403


def test_technicians_and_masters_do_not_reach_the_distributor_page(client, technician_a, master_viewer):
    for user in (technician_a, master_viewer):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403


def test_the_master_page_lists_its_distributors_with_open_and_red_folios(
    client, master_viewer, distributor_a, distributor_b, django_assert_max_num_queries
):
    factories.make_order(distributor_a)
    factories.make_order(distributor_a, routed_at=timezone.now() - dt.timedelta(days=5))
    factories.make_order(distributor_b)
    other = factories.make_distributor("dist-c", master=distributor_a.master, name="Distribuidor Puebla")
    client.force_login(master_viewer)
    with django_assert_max_num_queries(8):
        response = client.get(MASTER)
    assert response.status_code == 200
    rows = {d.code: (d.open_count, d.red_count) for d in response.context["distributors"]}
    assert rows == {"dist-a": (2, 1), other.code: (0, 0)}
    assert "Distribuidor Guadalajara" not in response.text


def test_distributor_staff_cannot_open_the_master_page(client, owner_a, technician_a):
    for user in (owner_a, technician_a):
        client.force_login(user)
        assert client.get(MASTER).status_code == 403
