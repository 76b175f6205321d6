"""Benchmark of the distributor board and the folio detail on a large database.

    DATABASE_URL=postgres://... .venv/bin/python bench/board.py [--orders 200000] [--requests 30]

With at least ``--orders`` folios in the database (20,000 of them open for one distributor),
measures in this one process, through Django's test Client logged in as that distributor's
dispatcher: the median server time of the board's first page (both working tabs) and of a folio
detail, their query counts, and the bare SQL that fetches the same page of rows through the
cursor. The ratio board / bare SQL is printed last. Targets: under 15 queries a page, the board
under 60 ms median.

The data come from ``manage.py demo_data --orders N`` (heat/demo.py). Run it on a database
meant for benchmarks: loading takes a few minutes once, and later runs reuse the rows.
"""

from __future__ import annotations

import argparse
import sys

from common import ensure_data, measure_page, setup, timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    setup()
    ensure_data(args.orders)

    from django.db import connection
    from django.test import Client

    from asignaciones.models import Order
    from heat import demo
    from heat.models import Membership

    membership = (
        Membership.objects.filter(distributor__code=demo.BENCH_DISTRIBUTOR, role=Membership.Role.DISPATCHER)
        .select_related("user", "distributor")
        .first()
    )
    distributor = membership.distributor
    open_count = Order.objects.filter(distributor=distributor, status__in=Order.OPEN_STATUSES).count()
    total = Order.objects.count()
    print(f"{total:,} folios; {open_count:,} open for {distributor.name}; dispatcher {membership.user.username}.")

    client = Client()
    client.force_login(membership.user)
    folio = (
        Order.objects.filter(distributor=distributor, status=Order.Status.ASSIGNED)
        .order_by("deadline")
        .values_list("folio", flat=True)
        .first()
    )
    pages = {
        "board, Por asignar": "/asignaciones/",
        "board, Abiertas": "/asignaciones/?tab=open",
        "board, Abiertas, 100 a page": "/asignaciones/?tab=open&per_page=100",
        "folio detail": f"/asignaciones/folio/{folio}/",
    }
    results = {}
    for label, url in pages.items():
        results[label] = measure_page(label, client, url, args.requests)

    # The same first page of open rows, straight through the cursor: the floor a page cannot beat.
    bare_sql = f"""
        SELECT o.*, b.name, t.code, t.name, t.warning_hours, c.code, c.name, d.name, d.time_zone
        FROM {Order._meta.db_table} o
        JOIN asignaciones_brand b ON b.id = o.brand_id
        JOIN asignaciones_servicetype t ON t.id = o.service_type_id
        JOIN heat_distributor d ON d.id = o.distributor_id
        LEFT JOIN cuadrillas_crew c ON c.id = o.crew_id
        WHERE o.distributor_id = %s AND o.status IN ('assigned', 'in_progress')
        ORDER BY o.deadline, o.id LIMIT 25
    """

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(bare_sql, [distributor.pk])
            cursor.fetchall()

    for _ in range(3):
        bare()
    bare_median = timed(bare, args.requests)
    print(f"{'bare SQL, same 25 open rows':30} median {bare_median:6.1f} ms")
    board = results["board, Abiertas"]
    verdict = "OK" if board < 60 else "OVER TARGET"
    print(
        f"board (Abiertas) / bare SQL = {board / bare_median:.1f}x  (board {board:.1f} ms, target < 60 ms: {verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
