"""Benchmark of the traffic-light dashboard (gráfica) on a large database.

    DATABASE_URL=postgres://... .venv/bin/python bench/dashboard.py [--orders 200000] [--requests 20]

With at least ``--orders`` folios in the database, measures in this one process, through
Django's test Client: the dashboard's median server time and query count as the benchmark
distributor's dispatcher and as the back office (every distributor), and the single SQL
aggregate the dispatcher's dashboard cannot do without (its open folios' colour counts by crew
and type, one raw statement through the cursor). The ratio dashboard / aggregate is printed last.

The data come from ``manage.py demo_data --orders N`` (heat/demo.py). Run it on a database meant
for benchmarks: loading takes about a minute once, and later runs reuse the rows.
"""

from __future__ import annotations

import argparse
import sys

from common import ensure_data, measure_page, setup, timed


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
    from django.utils import timezone

    from asignaciones.models import Order

    distributor, dispatcher = bench_distributor_dispatcher()
    back_office = get_user_model().objects.filter(is_staff=True, is_active=True).first()
    open_count = Order.objects.filter(distributor=distributor, status__in=Order.OPEN_STATUSES).count()
    print(
        f"{Order.objects.count():,} folios; {open_count:,} open for {distributor.name}; "
        f"dispatcher {dispatcher.username}; back office {back_office.username if back_office else '—'}."
    )

    results = {}
    for label, user in (("dashboard, dispatcher", dispatcher), ("dashboard, back office", back_office)):
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        results[label] = measure_page(label, client, "/grafica/", args.requests, width=32)

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
    aggregate_median = timed(aggregate, args.requests)
    print(f"{'one SQL aggregate (colour counts)':32} median {aggregate_median:7.1f} ms")
    dashboard = results["dashboard, dispatcher"]
    print(
        f"dashboard (dispatcher) / one SQL aggregate = {dashboard / aggregate_median:.1f}x  "
        f"(dashboard {dashboard:.1f} ms, aggregate {aggregate_median:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
