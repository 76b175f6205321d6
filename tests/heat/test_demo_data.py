"""``manage.py demo_data``: the demo organisation, folios consistent with their status, idempotence,
``--if-empty`` and ``--orders`` (the bulk path for benchmarks)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from asignaciones import sla
from asignaciones.models import (
    Action,
    Brand,
    MaterialUsage,
    Order,
    OrderEvent,
    ServiceType,
    TechnicianRequest,
    VisitCheckIn,
)
from asignaciones.rules import policy_for, rule
from cuadrillas.models import Crew, StockMovement, Technician
from facturacion.billing import earnings
from facturacion.models import BillingLine
from heat import demo
from heat.management.commands.demo_data import DEMO_PASSWORD
from heat.models import Distributor, Master, Membership

pytestmark = pytest.mark.django_db

# Enough folios for every status, type and brand to turn up, few enough to keep the tests fast.
FOLIOS = "300"
S = Order.Status
K = OrderEvent.Kind


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "distributors": Distributor.objects.count(),
        "crews": Crew.objects.count(),
        "technicians": Technician.objects.count(),
        "orders": Order.objects.count(),
        "events": OrderEvent.objects.count(),
        "materials": MaterialUsage.objects.count(),
        "billing": BillingLine.objects.count(),
    }


@pytest.fixture
def demo_set():
    return run("--folios", FOLIOS)


def test_the_demo_builds_the_organisation_and_its_users(demo_set):
    User = get_user_model()
    back_office = User.objects.get(username=demo.BACK_OFFICE_USERNAME)
    assert back_office.is_staff and back_office.is_superuser
    assert back_office.check_password(DEMO_PASSWORD)

    master = Master.objects.get(name=demo.MASTER_NAME)
    viewer = Membership.objects.get(user__username=demo.MASTER_VIEWER_USERNAME)
    assert viewer.role == Membership.Role.MASTER_VIEWER and viewer.master == master

    distributors = Distributor.objects.all()
    assert distributors.count() == 4
    assert distributors.filter(master=master).count() >= 2
    assert {d.time_zone for d in distributors} >= {"America/Mexico_City", "America/Monterrey", "America/Tijuana"}
    for distributor in distributors:
        distributor.full_clean()  # RFC, postal codes and coordinates pass the model's validators
        assert distributor.coverage_postal_codes and distributor.coverage_radius_km
        assert distributor.contacts.count() >= 1
        roles = set(distributor.memberships.values_list("role", flat=True))
        assert roles == {Membership.Role.OWNER, Membership.Role.DISPATCHER}
        crews = distributor.crews.all()
        assert 4 <= crews.count() <= 6
        for crew in crews:
            assert 4 <= crew.daily_capacity <= 8
            assert crew.technicians.count() == 2
            assert crew.brands.exists() and crew.service_types.exists()
        # Not every crew does everything, but something does every brand and type.
        served = {(b, t) for crew in crews for b in crew.brands.all() for t in crew.service_types.all()}
        assert len(served) == Brand.objects.count() * ServiceType.objects.count()
        assert any(crew.service_types.count() < ServiceType.objects.count() for crew in crews)

    technician = User.objects.get(username="cdmx_tec01a")
    assert technician.check_password(DEMO_PASSWORD)
    assert technician.technician.crew.distributor.code == "cdmx-centro"
    assert DEMO_PASSWORD in demo_set and "cdmx_despacho" in demo_set


def test_the_folios_cover_every_status_type_and_brand_with_a_live_traffic_light(demo_set):
    assert Order.objects.count() == int(FOLIOS)
    assert set(Order.objects.values_list("status", flat=True)) == set(S.values)
    assert set(Order.objects.values_list("service_type__code", flat=True)) == set(
        ServiceType.objects.values_list("code", flat=True)
    )
    assert set(Order.objects.values_list("brand__code", flat=True)) == {"sky", "vetv", "blue"}
    lights = dict(sla.with_traffic_light(Order.objects.all()).values_list("light").annotate(n=Count("pk")).order_by())
    assert lights.get("red", 0) > 10 and lights.get("yellow", 0) > 10 and lights.get("green", 0) > 10
    now = timezone.now()
    assert Order.objects.filter(routed_at__lt=now - dt.timedelta(days=31)).count() == 0
    assert Order.objects.filter(appointment_date__gt=now.date() + dt.timedelta(days=1)).exists()
    assert Order.objects.filter(status=S.NEW, routed_at__gte=now - dt.timedelta(hours=24)).exists()
    # Some folios fall outside their distributor's coverage area, and they look Mexican.
    order = Order.objects.select_related("distributor").first()
    order.full_clean()
    assert len(order.postal_code) == 5 and order.street and order.neighborhood and order.between_streets


def test_every_folio_has_a_trail_and_fields_consistent_with_its_status(demo_set):
    now = timezone.now()
    orders = Order.objects.prefetch_related("events").select_related("crew", "distributor")
    lines = set(BillingLine.objects.values_list("order_id", flat=True))
    with_materials = set(MaterialUsage.objects.values_list("order_id", flat=True))
    for order in orders:
        events = sorted(order.events.all(), key=lambda e: (e.at, e.pk))
        kinds = [e.kind for e in events]
        assert kinds[0] == K.ROUTED and events[0].at == order.routed_at, order.folio
        assert events[-1].to_status == order.status, (order.folio, kinds)
        assert all(a.at <= b.at for a, b in itertools.pairwise(events)), order.folio
        assert events[-1].at <= now
        assert order.deadline == sla.compute_deadline(
            routed_at=order.routed_at,
            service_type=order.service_type,
            zone=order.distributor.zone,
            appointment_date=order.appointment_date,
            appointment_window=order.appointment_window,
        )
        assert order.reschedule_count == kinds.count(K.RESCHEDULED)
        if order.crew_id:
            assert order.crew.distributor_id == order.distributor_id
        times = [t for t in (order.routed_at, order.assigned_at, order.started_at, order.closed_at) if t]
        assert times == sorted(times), order.folio
        match order.status:
            case S.NEW:
                assert order.crew_id is None and order.closed_at is None
                assert K.ASSIGNED not in kinds
            case S.ASSIGNED:
                assert order.crew_id and order.assigned_at and not order.started_at
                assert K.ASSIGNED in kinds
            case S.IN_PROGRESS:
                assert order.crew_id and order.started_at and kinds[-1] == K.STARTED
            case S.COMPLETED:
                assert kinds[-1] == K.COMPLETED and K.STARTED in kinds
                assert order.solution_code_1_id and order.closed_at and order.closing_latitude
                assert order.pk in lines
                if order.service_type.code == "INS" and order.brand.code != "blue":
                    assert order.pk in with_materials
            case S.REJECTED:
                assert kinds[-1] == K.REJECTED and events[-1].reason_id and order.closed_at
                assert events[-1].data["policy"]["title"]
            case S.CANCELLED:
                assert kinds[-1] == K.CANCELLED and events[-1].reason_id and order.closed_at
        if order.status != S.COMPLETED:
            assert order.pk not in lines


def test_check_ins_and_the_crews_stock_follow_the_visits(demo_set):
    started = dict(Order.objects.filter(started_at__isnull=False).values_list("pk", "started_at"))
    check_ins = list(VisitCheckIn.objects.all())
    assert len(check_ins) >= 0.85 * len(started)
    for check_in in check_ins:
        assert check_in.at == started[check_in.order_id]
        assert check_in.distance_m is not None and check_in.latitude is not None
    assert any(check_in.distance_m > 500 for check_in in check_ins) or len(check_ins) < 50
    # What the technicians declared left their crew's stock, as record_closing moves it...
    used = MaterialUsage.objects.filter(recovered=False)
    assert StockMovement.objects.filter(kind=StockMovement.Kind.CONSUMPTION).count() == used.count()
    recovered = MaterialUsage.objects.filter(recovered=True).count()
    assert StockMovement.objects.filter(kind=StockMovement.Kind.RECOVERY).count() == recovered
    # ...after their distributor handed it to them: no balance is negative.
    balances = StockMovement.objects.values("crew", "material").annotate(balance=Sum("quantity"))
    assert balances and min(row["balance"] for row in balances) > 0


def test_the_material_declared_keeps_within_each_types_closing_policy(demo_set):
    declared = (
        MaterialUsage.objects.filter(recovered=False)
        .values("order_id", "order__service_type", "material__code")
        .annotate(total=Sum("quantity"))
    )
    types = {service_type.pk: service_type for service_type in ServiceType.objects.all()}
    limits = {pk: rule(policy_for(Action.COMPLETE, st), "material_limits", {}) for pk, st in types.items()}
    for row in declared:
        limit = limits[row["order__service_type"]].get(row["material__code"])
        assert limit is None or row["total"] <= limit, row
    for usage in MaterialUsage.objects.select_related("material", "order__brand", "order__service_type"):
        assert usage.material.brands.filter(pk=usage.order.brand_id).exists()
        if usage.material.serialized:
            assert usage.serial_number and usage.quantity == 1
        if usage.recovered:
            assert usage.material.is_receiver and usage.order.service_type.recovers_equipment


def test_technicians_have_asked_their_dispatchers_something(demo_set):
    pending = TechnicianRequest.objects.filter(status=TechnicianRequest.Status.PENDING).select_related(
        "order__crew", "requested_by__technician"
    )
    assert pending.filter(kind=TechnicianRequest.Kind.RESCHEDULE).exists()
    for request in pending:
        assert request.order.status in (S.ASSIGNED, S.IN_PROGRESS)
        assert request.requested_by.technician.crew_id == request.order.crew_id
        assert request.requested_at >= request.order.assigned_at


def test_billing_lines_are_what_the_billing_rules_compute(demo_set):
    completed = Order.objects.filter(status=S.COMPLETED).select_related("distributor", "billing_line")
    assert completed.count() > 100
    late = 0
    for order in completed[:150]:
        line = order.billing_line
        expected = earnings(order)
        assert (line.commission, line.mileage_km, line.mileage_amount, line.days_late, line.penalty) == (
            expected.commission,
            expected.mileage_km,
            expected.mileage_amount,
            expected.days_late,
            expected.penalty,
        ), order.folio
        assert line.total == expected.total
        assert line.completed_at == order.closed_at
        late += line.days_late > 0
    assert late > 0
    assert BillingLine.objects.filter(mileage_amount__gt=Decimal("0")).exists()  # some far away


def test_running_it_again_changes_nothing(demo_set):
    before = counts()
    out = run("--folios", FOLIOS)
    assert counts() == before
    assert DEMO_PASSWORD in out


def test_if_empty_loads_an_empty_database_and_then_skips_with_one_query(django_assert_num_queries):
    run("--if-empty", "--folios", "40")
    assert Order.objects.count() == 40
    before = counts()
    with django_assert_num_queries(1):
        out = run("--if-empty", "--folios", "40")
    assert counts() == before
    assert DEMO_PASSWORD in out


def test_if_empty_leaves_a_database_with_other_distributors_alone(distributor_a):
    run("--if-empty")
    assert Order.objects.count() == 0
    assert not Distributor.objects.filter(code=demo.CITIES[0].code).exists()


def test_orders_adds_exactly_that_many_folios_with_their_trail_and_keeps_every_constraint():
    run("--folios", "40")
    before = counts()
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY conname")
        foreign_keys = cursor.fetchall()
    out = run("--orders", "500")
    after = counts()
    assert after["orders"] == before["orders"] + 500
    assert after["events"] >= before["events"] + 500 * 2
    assert after["billing"] > before["billing"]
    assert after["users"] == before["users"] and after["crews"] == before["crews"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY conname")
        assert cursor.fetchall() == foreign_keys  # dropped for the load and added back
    added = Order.objects.filter(folio__startswith="8")
    assert added.count() == 500
    bench = added.filter(distributor__code=demo.BENCH_DISTRIBUTOR, status__in=Order.OPEN_STATUSES)
    assert bench.count() == 50  # a tenth open on the benchmark distributor's board
    assert added.filter(status=S.COMPLETED).count() == BillingLine.objects.filter(order__in=added).count()
    assert set(added.values_list("distributor__code", flat=True)) == {plan.code for plan in demo.CITIES}
    assert "500" in out
    # A second batch continues the folio numbers.
    run("--orders", "20")
    assert Order.objects.filter(folio__startswith="8").count() == 520


def test_the_generator_is_deterministic_for_a_seed():
    run("--folios", "20")
    organisation, catalogue = demo.load_organisation(), demo.load_catalogue()
    now = timezone.now()

    def rows(seed: int) -> list[str]:
        writer = demo.FolioWriter(random.Random(seed), now, catalogue, organisation, demo.CrewLoad())
        for n in range(60):
            writer.add(n + 1, str(n + 1), organisation[n % 4], list(S.values)[n % 6], history_days=30)
        return writer.orders + writer.events + writer.usages + writer.billing

    assert rows(7) == rows(7)
    assert rows(7) != rows(8)


def test_the_texts_copied_verbatim_need_no_escaping():
    texts = [*demo.FIRST_NAMES, *demo.SURNAMES, *demo.STREETS, *demo.REFERENCES, *demo.CLOSING_COMMENTS.values()]
    for plan in demo.CITIES:
        texts += [plan.city, plan.state, *plan.avenues]
        texts += [f"{p.neighborhood} {p.municipality} {p.state}" for p in (*plan.places, *plan.far_places)]
    for packages in demo.PACKAGES.values():
        texts += packages
    assert not [text for text in texts if any(char in text for char in "\t\n\r\\")]
