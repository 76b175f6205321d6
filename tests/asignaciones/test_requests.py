"""The dispatcher's side of technicians' requests (/solicitudes/) and the visit-control fragment."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from asignaciones import actions
from asignaciones.actions import visits
from asignaciones.models import Action, Order, Reason, TechnicianRequest
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reschedule_request(assigned_order_a, technician_a):
    return visits.request_reschedule(
        assigned_order_a,
        by=technician_a,
        reason=Reason.objects.get(action=Action.RESCHEDULE, code="AUSENTE"),
        date=actions.local_today(assigned_order_a.distributor) + dt.timedelta(days=1),
        window=Order.Window.AFTERNOON,
        note="Nadie en casa",
    )


@pytest.fixture
def duplicate_request(assigned_order_a, technician_a, distributor_a):
    other = factories.make_order(distributor_a, folio="F-ORIGINAL")
    return visits.flag_duplicate(assigned_order_a, by=technician_a, other_folio=other.folio)


def test_the_dispatcher_lists_pending_requests_in_a_fixed_number_of_queries(
    client, dispatcher_a, reschedule_request, duplicate_request, django_assert_max_num_queries
):
    client.force_login(dispatcher_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("solicitudes:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Reagendado solicitado" in page and "Nadie en casa" in page
    assert "Sería duplicado del folio F-ORIGINAL." in page
    assert "He leído y acepto «Política de reagendado de visitas» (versión 1)" in page


def test_a_dispatcher_of_another_distributor_sees_none_and_cannot_answer(client, outsider, reschedule_request):
    client.force_login(outsider)
    assert "F0" not in client.get(reverse("solicitudes:list")).content.decode()
    assert (
        client.post(reverse("solicitudes:accept", args=[reschedule_request.pk]), {"acknowledge": "on"}).status_code
        == 404
    )
    assert client.post(reverse("solicitudes:refuse", args=[reschedule_request.pk])).status_code == 404
    assert client.get(reverse("solicitudes:visit_control", args=[reschedule_request.order.folio])).status_code == 404
    assert TechnicianRequest.objects.get().status == TechnicianRequest.Status.PENDING


def test_accepting_without_acknowledging_the_policy_is_refused_with_its_message(
    client, dispatcher_a, reschedule_request
):
    client.force_login(dispatcher_a)
    url = reverse("solicitudes:accept", args=[reschedule_request.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"policy": visits.policy_for_request(reschedule_request).pk}, follow=True)
    assert "Lea y acepte la política «Política de reagendado de visitas»" in response.content.decode()
    assert TechnicianRequest.objects.get().status == TechnicianRequest.Status.PENDING


def test_accepting_a_reschedule_goes_back_to_the_folio_page(client, dispatcher_a, reschedule_request):
    client.force_login(dispatcher_a)
    policy = visits.policy_for_request(reschedule_request)
    back = f"/asignaciones/folio/{reschedule_request.order.folio}/"
    response = client.post(
        reverse("solicitudes:accept", args=[reschedule_request.pk]),
        {"policy": policy.pk, "acknowledge": "on", "note": "Va", "next": back},
    )
    assert response.status_code == 302 and response.url == back
    order = Order.objects.get(pk=reschedule_request.order_id)
    assert order.appointment_window == Order.Window.AFTERNOON and order.reschedule_count == 1


def test_an_outside_next_address_is_ignored(client, dispatcher_a, duplicate_request):
    client.force_login(dispatcher_a)
    response = client.post(
        reverse("solicitudes:refuse", args=[duplicate_request.pk]), {"next": "https://example.com/", "note": "No"}
    )
    assert response.url == reverse("solicitudes:list")
    assert TechnicianRequest.objects.get().status == TechnicianRequest.Status.REFUSED


def test_accepting_a_duplicate_cancels_the_folio(client, owner_a, duplicate_request):
    client.force_login(owner_a)
    policy = visits.policy_for_request(duplicate_request)
    response = client.post(
        reverse("solicitudes:accept", args=[duplicate_request.pk]),
        {"policy": policy.pk, "acknowledge": "on"},
        follow=True,
    )
    assert "aceptada; se avisó al técnico" in response.content.decode()
    assert Order.objects.get(pk=duplicate_request.order_id).status == Order.Status.CANCELLED


def test_a_master_viewer_sees_requests_but_cannot_answer(client, master_viewer, duplicate_request):
    client.force_login(master_viewer)
    page = client.get(reverse("solicitudes:list")).content.decode()
    assert "F-ORIGINAL" in page and "Aceptar" not in page
    response = client.post(reverse("solicitudes:refuse", args=[duplicate_request.pk]), follow=True)
    assert "No tiene permiso" in response.content.decode()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_visit_control_shows_check_in_distance_flag_closing_and_photos(
    client, dispatcher_a, outsider, assigned_order_a, technician_a, django_assert_max_num_queries
):
    visits.check_in(assigned_order_a, by=technician_a, latitude=Decimal("19.400000"), longitude=Decimal("-99.170000"))
    data = jpeg_bytes()
    visits.complete_visit(
        assigned_order_a,
        by=technician_a,
        solution_codes=[Reason.objects.get(action=Action.COMPLETE, code="INST_OK")],
        latitude=Decimal("19.390000"),
        longitude=Decimal("-99.170100"),
        photos=[visits.Photo(SimpleUploadedFile("a.jpg", data), "image/jpeg", len(data))],
    )
    client.force_login(dispatcher_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("solicitudes:visit_control", args=[assigned_order_a.folio]))
    page = response.content.decode()
    assert "a 1112 m del cliente" in page
    assert 'data-far="1"' in page and "A más de 500 m" in page
    assert "a 10 m del cliente" in page  # the closing position
    photo = assigned_order_a.photos.get()
    assert reverse("solicitudes:photo", args=[photo.pk]) in page
    served = client.get(reverse("solicitudes:photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == data
    client.force_login(outsider)
    assert client.get(reverse("solicitudes:photo", args=[photo.pk])).status_code == 404


def test_the_folio_page_slot_loads_the_visit_control_with_htmx(rf, dispatcher_a, assigned_order_a):
    from django.template.loader import render_to_string

    request = rf.get("/asignaciones/folio/x/")
    html = render_to_string("asignaciones/partials/visit_control.html", {"order": assigned_order_a, "request": request})
    assert reverse("solicitudes:visit_control", args=[assigned_order_a.folio]) in html
    assert 'hx-trigger="load' in html and "Control de visitas" in html
