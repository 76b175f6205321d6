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
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test Client's host


def ensure_data(orders: int) -> None:
    """Load the demo organisation and enough benchmark folios, unless they are there already."""
    from django.core.management import call_command

    from asignaciones.models import Order

    call_command("migrate", verbosity=0)
    have = Order.objects.count()
    if have >= orders:
        print(f"Database already holds {have:,} folios.")
        return
    started = time.monotonic()
    call_command("demo_data", "--if-empty", verbosity=0)
    missing = orders - Order.objects.count()
    if missing > 0:
        call_command("demo_data", "--orders", str(missing), verbosity=0)
    print(f"Loaded folios up to {Order.objects.count():,} in {time.monotonic() - started:.0f} s.")


def captured_queries(function) -> list[dict]:
    """The SQL one call runs, with times (the query log is cleared first, so it never overflows)."""
    from django.db import connection, reset_queries

    connection.force_debug_cursor = True
    reset_queries()
    try:
        function()
        return list(connection.queries_log)
    finally:
        connection.force_debug_cursor = False


def timed(function, n: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), samples


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

    # Keep one database connection across requests, as a server with CONN_MAX_AGE does: the
    # time measured is the page's, not a new connection's (and the queries can be captured).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

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
        for _ in range(3):  # warm-up: connection, templates, caches
            assert client.get(url).status_code == 200, url
        queries = captured_queries(lambda url=url: client.get(url))
        median, _samples = timed(lambda url=url: client.get(url), args.requests)
        slowest = max(queries, key=lambda q: float(q["time"]))
        results[label] = median
        print(
            f"{label:30} median {median:6.1f} ms · {len(queries):2d} queries · "
            f"slowest query {float(slowest['time']) * 1000:.1f} ms"
        )

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
    bare_median, _samples = timed(bare, args.requests)
    print(f"{'bare SQL, same 25 open rows':30} median {bare_median:6.1f} ms")
    board = results["board, Abiertas"]
    verdict = "OK" if board < 60 else "OVER TARGET"
    print(
        f"board (Abiertas) / bare SQL = {board / bare_median:.1f}x  (board {board:.1f} ms, target < 60 ms: {verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
