"""The technician's pages: who may, the visits in order, check-in, closing with material and
photos, requests."""

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
from asignaciones.models import Action, Material, Order, Reason, TechnicianRequest, VisitCheckIn, VisitPhoto
from cuadrillas.models import StockMovement
from tests import factories

pytestmark = pytest.mark.django_db


def image_upload(kind: str = "JPEG", name: str = "foto.jpg", size: tuple[int, int] = (16, 16)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def closing_data(**extra) -> dict:
    data = {
        "solution_code_1": Reason.objects.get(action=Action.COMPLETE, code="INST_OK").pk,
        "comments": "Todo bien",
        "latitude": "19.390050",
        "longitude": "-99.170050",
        "material-TOTAL_FORMS": "3",
        "material-INITIAL_FORMS": "0",
        "material-MIN_NUM_FORMS": "0",
        "material-MAX_NUM_FORMS": "30",
    }
    data.update(extra)
    return data


def line(index: int, code: str, quantity: str = "", serial: str = "") -> dict:
    return {
        f"material-{index}-material": Material.objects.get(code=code).pk,
        f"material-{index}-quantity": quantity,
        f"material-{index}-serial_number": serial,
    }


@pytest.fixture
def tech_client(client, technician_a):
    client.force_login(technician_a)
    return client


# --- the list ------------------------------------------------------------------------------------


def test_the_technician_sees_the_crews_visits_in_appointment_order(
    tech_client, distributor_a, crew_a1, crew_a2, dispatcher_a, django_assert_max_num_queries
):
    today = actions.local_today(distributor_a)
    later = today + dt.timedelta(days=2)

    def visit(folio, **fields):
        return actions.assign(factories.make_order(distributor_a, folio=folio, **fields), crew_a1, by=dispatcher_a)

    visit("TARDE", appointment_date=later, appointment_window="afternoon")
    visit("MANANA", appointment_date=later, appointment_window="morning")
    visit("SIN-CITA", between_streets="Calle A y Calle B", references="Portón negro")
    visit("LEJOS", appointment_date=today + dt.timedelta(days=9), appointment_window="morning")
    actions.assign(factories.make_order(distributor_a, folio="OTRA-CUADRILLA"), crew_a2, by=dispatcher_a)

    with django_assert_max_num_queries(10):
        response = tech_client.get(reverse("tecnico:visits"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "OTRA-CUADRILLA" not in page and "LEJOS" not in page
    assert page.index("SIN-CITA") < page.index("Esta semana") < page.index("MANANA") < page.index("TARDE")
    assert "Calle A y Calle B" in page and "Portón negro" in page
    assert "geo:19.390000,-99.170000?q=19.390000,-99.170000" in page
    assert 'href="tel:5550001111"' in page
    assert "light-green" in page and "quedan" in page
    assert 'hx-trigger="every 30s"' in page


def test_htmx_polling_gets_the_list_alone_with_new_notifications(tech_client, assigned_order_a, technician_a):
    from asignaciones import notifications

    notifications.deliver_event(assigned_order_a.events.get(kind="assigned").pk)
    response = tech_client.get(reverse("tecnico:visits"), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert page.lstrip().startswith('<div id="visits"')
    assert f"Nuevo folio {assigned_order_a.folio} para su cuadrilla" in page


@pytest.mark.parametrize("who", ["dispatcher_a", "owner_a", "back_office"])
def test_other_roles_do_not_use_the_technician_pages(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("tecnico:visits")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("tecnico:visits"))
    assert response.status_code == 302 and "/entrar/" in response.url


def test_another_crews_folio_is_a_404_everywhere(tech_client, distributor_a, crew_a2, dispatcher_a):
    other = actions.assign(factories.make_order(distributor_a), crew_a2, by=dispatcher_a)
    for name in ("visit", "complete", "request_reschedule", "flag_duplicate"):
        assert tech_client.get(reverse(f"tecnico:{name}", args=[other.folio])).status_code == 404
    assert (
        tech_client.post(reverse("tecnico:check_in", args=[other.folio]), {"without_position": "True"}).status_code
        == 404
    )
    assert Order.objects.get(pk=other.pk).status == Order.Status.ASSIGNED


# --- check-in ------------------------------------------------------------------------------------


def test_checking_in_with_the_phones_position_shows_the_distance(tech_client, assigned_order_a):
    url = reverse("tecnico:check_in", args=[assigned_order_a.folio])
    assert tech_client.get(url).status_code == 405
    response = tech_client.post(url, {"latitude": "19.391000", "longitude": "-99.170000", "accuracy": "8"}, follow=True)
    assert "Llegada registrada a 111 m del cliente." in response.content.decode()
    assert VisitCheckIn.objects.get(order=assigned_order_a).distance_m == 111


def test_a_far_check_in_is_accepted_with_a_warning(tech_client, assigned_order_a):
    url = reverse("tecnico:check_in", args=[assigned_order_a.folio])
    response = tech_client.post(url, {"latitude": "19.400000", "longitude": "-99.170000"}, follow=True)
    assert "del domicilio del cliente: el distribuidor lo verá" in response.content.decode()


def test_without_position_the_check_in_needs_the_explicit_fallback(tech_client, assigned_order_a):
    url = reverse("tecnico:check_in", args=[assigned_order_a.folio])
    response = tech_client.post(url, {}, follow=True)
    assert "No pudimos leer su ubicación" in response.content.decode()
    assert not VisitCheckIn.objects.exists()
    response = tech_client.post(url, {"without_position": "True"}, follow=True)
    assert "Llegada registrada sin su ubicación." in response.content.decode()
    assert VisitCheckIn.objects.get().latitude is None


# --- closing -------------------------------------------------------------------------------------


def test_closing_with_material_serials_and_a_photo(tech_client, assigned_order_a, crew_a1):
    url = reverse("tecnico:complete", args=[assigned_order_a.folio])
    page = tech_client.get(url).content.decode()
    assert "Código de solución 1" in page and "Material utilizado" in page
    assert "Equipo recuperado" not in page  # not a recovery order
    data = closing_data(
        **line(0, "IRD-HD", serial="IRD-0001"), **line(1, "TARJETA", serial="TJ-0001"), **line(2, "RG6", "20")
    )
    data["photos"] = [image_upload(), image_upload("PNG", "otra.png")]
    response = tech_client.post(url, data)
    assert response.status_code == 302 and response.url == reverse("tecnico:visits")
    order = Order.objects.get(pk=assigned_order_a.pk)
    assert order.status == Order.Status.COMPLETED
    assert order.closing_latitude == Decimal("19.390050")
    assert sorted(VisitPhoto.objects.values_list("content_type", flat=True)) == ["image/jpeg", "image/png"]
    assert StockMovement.objects.filter(crew=crew_a1, kind="consumption").count() == 3


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("RG6", "61", "")], "Como máximo 60"),
        ([("IRD-HD", "", "")], "Indique el número de serie de cada IRD-HD"),
        ([("IRD-HD", "", "S-1"), ("IRD-SD", "", "S-1")], "El número de serie S-1 se repite."),
    ],
    ids=["over-the-policy-limit", "missing-serial", "repeated-serial"],
)
def test_material_errors_come_back_on_the_form_and_nothing_is_written(tech_client, assigned_order_a, lines, message):
    data = closing_data()
    for i, (code, quantity, serial) in enumerate(lines):
        data.update(line(i, code, quantity, serial))
    response = tech_client.post(reverse("tecnico:complete", args=[assigned_order_a.folio]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Order.objects.get(pk=assigned_order_a.pk).status == Order.Status.ASSIGNED
    assert not StockMovement.objects.exists()


def test_the_first_solution_code_is_required(tech_client, assigned_order_a):
    data = closing_data(solution_code_1="")
    response = tech_client.post(reverse("tecnico:complete", args=[assigned_order_a.folio]), data)
    assert response.status_code == 400
    assert "Este campo es obligatorio" in response.content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg"),
            "no es una foto JPEG o PNG",
        ),
        (lambda: image_upload("GIF", "anim.jpg"), "no es una foto JPEG o PNG"),
        (
            SimpleUploadedFile("enorme.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024), content_type="image/jpeg"),
            "pesa más de 5 MB",
        ),
    ],
    ids=["not-an-image", "gif-named-jpg", "over-5-mb"],
)
def test_uploads_of_the_wrong_type_or_size_are_refused(tech_client, assigned_order_a, upload, message):
    if callable(upload):
        upload = upload()
    data = closing_data(photos=[upload])
    response = tech_client.post(reverse("tecnico:complete", args=[assigned_order_a.folio]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not VisitPhoto.objects.exists()
    assert Order.objects.get(pk=assigned_order_a.pk).status == Order.Status.ASSIGNED


def test_a_recovery_order_declares_recovered_receivers(tech_client, distributor_a, crew_a1, dispatcher_a):
    order = actions.assign(factories.make_order(distributor_a, service_type="REC"), crew_a1, by=dispatcher_a)
    url = reverse("tecnico:complete", args=[order.folio])
    assert "Equipo recuperado del cliente" in tech_client.get(url).content.decode()
    data = closing_data(
        solution_code_1=Reason.objects.get(action=Action.COMPLETE, code="IRD_RECUP").pk,
        **{
            "recovered-TOTAL_FORMS": "2",
            "recovered-INITIAL_FORMS": "0",
            "recovered-0-material": Material.objects.get(code="IRD-SD").pk,
            "recovered-0-serial_number": "VIEJO-1",
        },
    )
    assert tech_client.post(url, data).status_code == 302
    usage = order.materials.get()
    assert usage.recovered and usage.serial_number == "VIEJO-1"
    assert StockMovement.objects.get(crew=crew_a1).kind == StockMovement.Kind.RECOVERY


# --- requests ------------------------------------------------------------------------------------


def test_asking_for_a_reschedule(tech_client, assigned_order_a):
    url = reverse("tecnico:request_reschedule", args=[assigned_order_a.folio])
    assert "Pedir reagendar" in tech_client.get(url).content.decode()
    day = actions.local_today(assigned_order_a.distributor) + dt.timedelta(days=1)
    reason = Reason.objects.get(action=Action.RESCHEDULE, code="AUSENTE")
    response = tech_client.post(url, {"reason": reason.pk, "date": day.isoformat(), "window": "morning"}, follow=True)
    assert "solicitado: el despachador responderá" in response.content.decode()
    assert "en espera del despachador" in response.content.decode()
    assert TechnicianRequest.objects.get().proposed_date == day


def test_flagging_a_duplicate_of_an_unknown_folio_shows_the_error(tech_client, assigned_order_a):
    url = reverse("tecnico:flag_duplicate", args=[assigned_order_a.folio])
    response = tech_client.post(url, {"other_folio": "NO-EXISTE"})
    assert response.status_code == 400
    assert "El folio NO-EXISTE no se encontró." in response.content.decode()
    assert not TechnicianRequest.objects.exists()


def test_the_visit_page_shows_the_check_in(tech_client, assigned_order_a, technician_a, django_assert_max_num_queries):
    visits.check_in(assigned_order_a, by=technician_a, latitude=Decimal("19.395"), longitude=Decimal("-99.17"))
    with django_assert_max_num_queries(12):
        response = tech_client.get(reverse("tecnico:visit", args=[assigned_order_a.folio]))
    page = response.content.decode()
    assert "a 556 m del cliente" in page
    assert "Cerrar la visita" in page
    assert "Registrar llegada" not in page


def test_times_are_shown_on_the_distributors_wall_clock(client, catalogue):
    import time_machine

    tijuana = factories.make_distributor(
        "tij", time_zone="America/Tijuana", base_latitude="32.514900", base_longitude="-117.038200"
    )
    crew = factories.make_crew(tijuana, "T1", lat="32.5", lon="-117.0")
    dispatcher = factories.make_member("disp_tij", tijuana)
    technician = factories.make_technician("tec_tij", crew).user
    order = factories.make_order(tijuana, latitude=Decimal("32.514900"), longitude=Decimal("-117.038200"))
    actions.assign(order, crew, by=dispatcher)
    # 18:05 UTC is 10:05 in Tijuana in December (UTC-8) and 12:05 in Mexico City.
    with time_machine.travel(dt.datetime(2026, 12, 3, 18, 5, tzinfo=dt.UTC), tick=False):
        visits.check_in(order, by=technician)
    client.force_login(technician)
    page = client.get(reverse("tecnico:visit", args=[order.folio])).content.decode()
    assert "Llegada registrada a las 10:05" in page
