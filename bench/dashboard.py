"""Benchmark of the traffic-light dashboard (gráfica) on a large database.

    DATABASE_URL=postgres://... .venv/bin/python bench/dashboard.py [--orders 200000] [--requests 20]

With at least ``--orders`` folios in the database, measures in this one process, through
Django's test Client: the dashboard's median server time and query count as the benchmark
distributor's dispatcher and as the back office (every distributor), and the single SQL
aggregate the dispatcher's dashboard cannot do without (its open folios' colour counts by crew
and type, one raw statement through the cursor). The ratio dashboard / aggregate is printed last.

The data come from ``manage.py demo_data --orders N`` (heat/demo.py); on a tree without that
command, ``minimal_bulk_load`` below loads plain folios instead. Run it on a database meant for
benchmarks: loading takes a few minutes once, and later runs reuse the rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heat.settings_test")


def setup() -> None:
    import django
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()  # lets the test Client's host through ALLOWED_HOSTS


def minimal_bulk_load(count: int) -> None:
    """Fallback loader when ``demo_data`` is missing: one distributor with ten crews, a
    dispatcher and ``count`` folios of every status and colour, written with bulk_create (no
    events or billing lines: the dashboard does not read them)."""
    import datetime as dt
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from asignaciones.catalogue import ensure_catalogue
    from asignaciones.models import Brand, Order, ServiceType
    from cuadrillas.models import Crew
    from heat.models import Distributor, Membership

    ensure_catalogue()
    rng = random.Random(2026)
    distributor, _ = Distributor.objects.get_or_create(
        code="bench",
        defaults={
            "name": "Distribuidor Bench",
            "city": "Ciudad de México",
            "base_latitude": Decimal("19.4326"),
            "base_longitude": Decimal("-99.1332"),
        },
    )
    crews = [
        Crew.objects.get_or_create(
            distributor=distributor,
            code=f"B{i:02d}",
            defaults={
                "name": f"Cuadrilla B{i:02d}",
                "base_latitude": Decimal("19.40"),
                "base_longitude": Decimal("-99.10"),
            },
        )[0]
        for i in range(10)
    ]
    user, created = get_user_model().objects.get_or_create(username="bench_dispatcher")
    if created:
        Membership.objects.create(user=user, distributor=distributor, role=Membership.Role.DISPATCHER)
    brands, types = list(Brand.objects.all()), list(ServiceType.objects.all())
    now = timezone.now()
    start = Order.objects.count()
    batch = []
    for i in range(count):
        status = rng.choices(["new", "assigned", "in_progress", "completed", "cancelled"], [1, 2, 1, 12, 1])[0]
        routed = now - dt.timedelta(hours=rng.uniform(0, 24 * 120))
        kind = rng.choice(types)
        deadline = routed + dt.timedelta(hours=kind.sla_hours)
        batch.append(
            Order(
                folio=f"BENCH{start + i:09d}",
                brand=rng.choice(brands),
                service_type=kind,
                status=status,
                distributor=distributor,
                crew=None if status in ("new", "cancelled") else rng.choice(crews),
                customer_name="Cliente",
                street="Calle",
                exterior_number="1",
                neighborhood="Centro",
                city="CDMX",
                state="CDMX",
                postal_code="06000",
                latitude=Decimal("19.43"),
                longitude=Decimal("-99.13"),
                routed_at=routed,
                deadline=deadline,
                closed_at=routed + dt.timedelta(hours=rng.uniform(1, kind.sla_hours * 1.3))
                if status == "completed"
                else None,
            )
        )
        if len(batch) == 5000:
            Order.objects.bulk_create(batch)
            batch = []
    Order.objects.bulk_create(batch)


def ensure_data(orders: int) -> None:
    """Load the demo organisation and enough benchmark folios, unless they are there already."""
    from django.core.management import call_command, get_commands

    from asignaciones.models import Order

    call_command("migrate", verbosity=0)
    have = Order.objects.count()
    if have >= orders:
        print(f"Database already holds {have:,} folios.")
        return
    started = time.monotonic()
    if "demo_data" in get_commands():
        call_command("demo_data", "--if-empty", verbosity=0)
        missing = orders - Order.objects.count()
        if missing > 0:
            call_command("demo_data", "--orders", str(missing), verbosity=0)
    else:
        minimal_bulk_load(orders - have)
    print(f"Loaded folios up to {Order.objects.count():,} in {time.monotonic() - started:.0f} s.")


def timed(function, n: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), samples


def bench_distributor_dispatcher():
    """The distributor with the most open folios, and one of its dispatchers."""
    from django.db.models import Count, Q

    from asignaciones.models import Order
    from heat.models import Distributor, Membership

    distributor = (
        Distributor.objects.filter(memberships__role=Membership.Role.DISPATCHER)
        .annotate(open=Count("orders", filter=Q(orders__status__in=Order.OPEN_STATUSES)))
        .order_by("-open")
        .first()
    )
    membership = Membership.objects.filter(distributor=distributor, role=Membership.Role.DISPATCHER).first()
    return distributor, membership.user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    setup()
    ensure_data(args.orders)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from asignaciones.models import Order

    distributor, dispatcher = bench_distributor_dispatcher()
    back_office = get_user_model().objects.filter(is_staff=True, is_active=True).first()
    open_count = Order.objects.filter(distributor=distributor, status__in=Order.OPEN_STATUSES).count()
    print(
        f"{Order.objects.count():,} folios; {open_count:,} open for {distributor.name}; "
        f"dispatcher {dispatcher.username}; back office {back_office.username if back_office else '—'}."
    )

    # Keep one database connection across requests, as a server with CONN_MAX_AGE does: the
    # time measured is the page's, not a new connection's.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    results = {}
    for label, user in (("dashboard, dispatcher", dispatcher), ("dashboard, back office", back_office)):
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        for _ in range(3):  # warm-up: connection, templates, caches
            assert client.get("/grafica/").status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get("/grafica/")
        # Read them now: every request starts by emptying the connection's query log.
        queries = list(captured.captured_queries)
        median, _samples = timed(lambda client=client: client.get("/grafica/"), args.requests)
        slowest = max(queries, key=lambda q: float(q["time"]))
        results[label] = median
        print(
            f"{label:32} median {median:7.1f} ms · {len(queries):2d} queries · "
            f"slowest query {float(slowest['time']) * 1000:.1f} ms"
        )

    # The one aggregate the dispatcher's dashboard needs: its open folios by crew, type and colour.
    aggregate_sql = f"""
        SELECT o.crew_id, o.service_type_id,
               CASE WHEN o.deadline <= %(now)s THEN 'red'
                    WHEN o.deadline - t.warning_hours * interval '1 hour' <= %(now)s THEN 'yellow'
                    ELSE 'green' END AS light,
               count(*)
        FROM {Order._meta.db_table} o
        JOIN asignaciones_servicetype t ON t.id = o.service_type_id
        WHERE o.distributor_id = %(distributor)s AND o.status IN ('new', 'assigned', 'in_progress')
        GROUP BY 1, 2, 3
    """

    def aggregate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(aggregate_sql, {"now": timezone.now(), "distributor": distributor.pk})
            cursor.fetchall()

    for _ in range(3):
        aggregate()
    aggregate_median, _samples = timed(aggregate, args.requests)
    print(f"{'one SQL aggregate (colour counts)':32} median {aggregate_median:7.1f} ms")
    dashboard = results["dashboard, dispatcher"]
    print(
        f"dashboard (dispatcher) / one SQL aggregate = {dashboard / aggregate_median:.1f}x  "
        f"(dashboard {dashboard:.1f} ms, aggregate {aggregate_median:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
