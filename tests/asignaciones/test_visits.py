"""The visit actions: check-in, closing with material and photos, technicians' requests."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from procrastinate.contrib.django.models import ProcrastinateJob

from asignaciones import actions
from asignaciones.actions import visits
from asignaciones.models import (
    Action,
    Material,
    MaterialUsage,
    Order,
    OrderEvent,
    Policy,
    Reason,
    TechnicianRequest,
    VisitCheckIn,
    VisitPhoto,
)
from asignaciones.rules import OrderActionError
from cuadrillas.models import StockMovement
from tests import factories

pytestmark = pytest.mark.django_db


def jpeg(name: str = "foto.jpg") -> visits.Photo:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    data = buffer.getvalue()
    return visits.Photo(file=SimpleUploadedFile(name, data, "image/jpeg"), content_type="image/jpeg", size=len(data))


def code(code: str) -> Reason:
    return Reason.objects.get(action=Action.COMPLETE, code=code)


def material(code: str) -> Material:
    return Material.objects.get(code=code)


def jobs(task: str) -> int:
    return ProcrastinateJob.objects.filter(task_name=task).count()


# --- check-in ------------------------------------------------------------------------------------


def test_check_in_starts_the_visit_and_records_position_and_distance(assigned_order_a, technician_a):
    # About 111 m north of the customer (0.001° of latitude).
    record = visits.check_in(
        assigned_order_a, by=technician_a, latitude=Decimal("19.391000"), longitude=Decimal("-99.170000"), accuracy_m=12
    )
    order = Order.objects.get(pk=assigned_order_a.pk)
    assert order.status == Order.Status.IN_PROGRESS
    assert record.distance_m == 111
    assert record.accuracy_m == 12
    assert record.at == order.started_at
    event = order.events.get(kind=OrderEvent.Kind.STARTED)
    assert event.data["latitude"] == "19.391000"


def test_a_check_in_far_from_the_customer_is_measured_beyond_the_flag(assigned_order_a, technician_a):
    record = visits.check_in(
        assigned_order_a, by=technician_a, latitude=Decimal("19.400000"), longitude=Decimal("-99.170000")
    )
    assert record.distance_m > visits.FAR_CHECK_IN_M


def test_a_check_in_without_position_is_recorded_without_distance(assigned_order_a, technician_a):
    record = visits.check_in(assigned_order_a, by=technician_a)
    assert record.latitude is None and record.distance_m is None


def test_a_second_check_in_is_refused_and_writes_nothing(assigned_order_a, technician_a):
    visits.check_in(assigned_order_a, by=technician_a)
    with pytest.raises(OrderActionError):
        visits.check_in(assigned_order_a, by=technician_a)
    assert VisitCheckIn.objects.count() == 1


def test_a_technician_of_another_crew_cannot_check_in(assigned_order_a, crew_a2):
    other = factories.make_technician("tecnico_a2", crew_a2).user
    with pytest.raises(OrderActionError):
        visits.check_in(assigned_order_a, by=other, latitude=Decimal("19.39"), longitude=Decimal("-99.17"))
    assert not VisitCheckIn.objects.exists()
    assert Order.objects.get(pk=assigned_order_a.pk).status == Order.Status.ASSIGNED


# --- closing -------------------------------------------------------------------------------------


def test_closing_writes_material_stock_movements_and_photos_in_one_go(assigned_order_a, technician_a, crew_a1):
    visits.check_in(assigned_order_a, by=technician_a)
    visits.complete_visit(
        assigned_order_a,
        by=technician_a,
        solution_codes=[code("INST_OK")],
        comments="Instalado",
        materials=[
            actions.MaterialLine(material("IRD-HD"), Decimal(1), "IRD123"),
            actions.MaterialLine(material("TARJETA"), Decimal(1), "TJ999"),
            actions.MaterialLine(material("RG6"), Decimal("25.5")),
        ],
        latitude=Decimal("19.390100"),
        longitude=Decimal("-99.170100"),
        photos=[jpeg()],
    )
    order = Order.objects.get(pk=assigned_order_a.pk)
    assert order.status == Order.Status.COMPLETED
    assert order.closing_latitude == Decimal("19.390100")
    moves = {m.material.code: m for m in StockMovement.objects.filter(crew=crew_a1).select_related("material")}
    assert moves["RG6"].quantity == Decimal("-25.50")
    assert moves["RG6"].kind == StockMovement.Kind.CONSUMPTION
    assert moves["IRD-HD"].serial_number == "IRD123"
    assert all(m.order_id == order.pk for m in moves.values())
    photo = VisitPhoto.objects.get(order=order)
    assert photo.content_type == "image/jpeg"
    assert photo.image.name.startswith(f"visitas/{order.folio}/")


def test_recovered_receivers_come_back_into_the_crew_stock(distributor_a, crew_a1, dispatcher_a, technician_a):
    order = actions.assign(factories.make_order(distributor_a, service_type="REC"), crew_a1, by=dispatcher_a)
    visits.complete_visit(
        order,
        by=technician_a,
        solution_codes=[code("IRD_RECUP")],
        materials=[actions.MaterialLine(material("IRD-SD"), Decimal(1), "OLD1", recovered=True)],
    )
    move = StockMovement.objects.get(crew=crew_a1)
    assert move.kind == StockMovement.Kind.RECOVERY
    assert move.quantity == Decimal(1)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("RG6", "61", "")], "60"),  # over the policy's limit
        ([("IRD-HD", "1", "")], "serie"),  # a receiver without its serial
        ([("IRD-HD", "1", "S1"), ("TARJETA", "1", "S1")], "se repite"),  # the same serial twice
    ],
    ids=["over-the-policy-limit", "missing-serial", "repeated-serial"],
)
def test_a_refused_closing_writes_nothing_at_all(assigned_order_a, technician_a, lines, message):
    with pytest.raises(OrderActionError) as refused:
        visits.complete_visit(
            assigned_order_a,
            by=technician_a,
            solution_codes=[code("INST_OK")],
            materials=[actions.MaterialLine(material(c), Decimal(q), s) for c, q, s in lines],
            photos=[jpeg()],
        )
    assert message in refused.value.message
    assert Order.objects.get(pk=assigned_order_a.pk).status == Order.Status.ASSIGNED
    assert not MaterialUsage.objects.exists()
    assert not StockMovement.objects.exists()
    assert not VisitPhoto.objects.exists()


# --- requests ------------------------------------------------------------------------------------


def reschedule_reason() -> Reason:
    return Reason.objects.get(action=Action.RESCHEDULE, code="AUSENTE")


def tomorrow(order: Order) -> dt.date:
    return actions.local_today(order.distributor) + dt.timedelta(days=1)


def test_a_reschedule_request_waits_for_the_dispatcher_and_queues_a_notification(assigned_order_a, technician_a):
    request = visits.request_reschedule(
        assigned_order_a,
        by=technician_a,
        reason=reschedule_reason(),
        date=tomorrow(assigned_order_a),
        window=Order.Window.MORNING,
        note="No hay nadie",
    )
    assert request.status == TechnicianRequest.Status.PENDING
    assert Order.objects.get(pk=assigned_order_a.pk).reschedule_count == 0
    job = ProcrastinateJob.objects.get(task_name="asignaciones.notify_request")
    assert job.args == {"request_id": request.pk, "stage": "created"}


def test_a_second_pending_request_of_the_same_kind_is_refused(assigned_order_a, technician_a):
    args = {"reason": reschedule_reason(), "date": tomorrow(assigned_order_a), "window": Order.Window.AFTERNOON}
    visits.request_reschedule(assigned_order_a, by=technician_a, **args)
    with pytest.raises(OrderActionError, match="pendiente"):
        visits.request_reschedule(assigned_order_a, by=technician_a, **args)
    assert TechnicianRequest.objects.count() == 1
    assert jobs("asignaciones.notify_request") == 1


def test_a_dispatcher_asks_nothing_they_reschedule_directly(assigned_order_a, dispatcher_a):
    with pytest.raises(OrderActionError):
        visits.request_reschedule(
            assigned_order_a,
            by=dispatcher_a,
            reason=reschedule_reason(),
            date=tomorrow(assigned_order_a),
            window=Order.Window.MORNING,
        )


def test_flagging_a_duplicate_needs_an_existing_folio_of_the_same_distributor(
    assigned_order_a, technician_a, distributor_b
):
    other_distributors = factories.make_order(distributor_b, folio="B-777", postal_code="44100")
    for folio in ("NOPE", assigned_order_a.folio, other_distributors.folio):
        with pytest.raises(OrderActionError):
            visits.flag_duplicate(assigned_order_a, by=technician_a, other_folio=folio)
    assert not TechnicianRequest.objects.exists()


def test_accepting_a_reschedule_request_reschedules_under_the_acknowledged_policy(
    assigned_order_a, technician_a, dispatcher_a
):
    day = tomorrow(assigned_order_a)
    request = visits.request_reschedule(
        assigned_order_a, by=technician_a, reason=reschedule_reason(), date=day, window=Order.Window.AFTERNOON
    )
    with pytest.raises(OrderActionError, match="política"):
        visits.accept_request(request, by=dispatcher_a)  # the policy was not acknowledged
    assert TechnicianRequest.objects.get(pk=request.pk).status == TechnicianRequest.Status.PENDING
    policy = visits.policy_for_request(request)
    visits.accept_request(request, by=dispatcher_a, acknowledged_policy=policy, note="Ok")
    order = Order.objects.get(pk=assigned_order_a.pk)
    assert (order.appointment_date, order.appointment_window) == (day, Order.Window.AFTERNOON)
    assert TechnicianRequest.objects.get(pk=request.pk).status == TechnicianRequest.Status.ACCEPTED
    event = order.events.get(kind=OrderEvent.Kind.RESCHEDULED)
    assert event.actor == dispatcher_a and event.data["policy"]["id"] == policy.pk
    queued = list(
        ProcrastinateJob.objects.filter(task_name="asignaciones.notify_request").values_list("args", flat=True)
    )
    assert {"request_id": request.pk, "stage": "decided"} in queued


def test_accepting_a_duplicate_cancels_it_as_duplicate_of_the_other_folio(
    distributor_a, assigned_order_a, technician_a, dispatcher_a
):
    other = factories.make_order(distributor_a, folio="F-OTRO")
    request = visits.flag_duplicate(assigned_order_a, by=technician_a, other_folio=other.folio)
    visits.accept_request(request, by=dispatcher_a, acknowledged_policy=Policy.objects.get(action=Action.CANCEL))
    order = Order.objects.get(pk=assigned_order_a.pk)
    assert order.status == Order.Status.CANCELLED
    event = order.events.get(kind=OrderEvent.Kind.CANCELLED)
    assert event.reason.code == "DUPLICADA"
    assert event.data["duplicate_of"] == "F-OTRO"


def test_refusing_leaves_the_folio_alone_and_a_request_is_answered_once(assigned_order_a, technician_a, owner_a):
    request = visits.request_reschedule(
        assigned_order_a,
        by=technician_a,
        reason=reschedule_reason(),
        date=tomorrow(assigned_order_a),
        window=Order.Window.MORNING,
    )
    visits.refuse_request(request, by=owner_a, note="Ve hoy")
    assert Order.objects.get(pk=assigned_order_a.pk).reschedule_count == 0
    with pytest.raises(OrderActionError, match="respondida"):
        visits.refuse_request(request, by=owner_a)


def test_a_dispatcher_of_another_distributor_cannot_answer(assigned_order_a, technician_a, outsider):
    request = visits.flag_duplicate(
        assigned_order_a, by=technician_a, other_folio=factories.make_order(assigned_order_a.distributor).folio
    )
    with pytest.raises(OrderActionError):
        visits.refuse_request(request, by=outsider)
    assert TechnicianRequest.objects.get(pk=request.pk).status == TechnicianRequest.Status.PENDING


def test_a_refused_closing_writes_no_photo_file(assigned_order_a, technician_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(OrderActionError):
        visits.complete_visit(assigned_order_a, by=technician_a, solution_codes=[], photos=[jpeg()])
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_photos_already_written_are_removed_when_a_later_one_fails(
    assigned_order_a, technician_a, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    real_create = VisitPhoto.objects.create
    calls = []

    def create_then_fail(**fields):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_create(**fields)

    monkeypatch.setattr(VisitPhoto.objects, "create", create_then_fail)
    with pytest.raises(OSError):
        visits.complete_visit(
            assigned_order_a, by=technician_a, solution_codes=[code("INST_OK")], photos=[jpeg("a.jpg"), jpeg("b.jpg")]
        )
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
