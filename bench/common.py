"""What every benchmark shares: Django set-up, the data (``manage.py demo_data --orders N``), a
persistent connection, query capture and medians. Each benchmark runs in one process and prints
its ratio against a baseline or limit last."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heat.settings_test")


def setup() -> None:
    """Django, with the test Client's host allowed and one database connection kept across
    requests, as a server with CONN_MAX_AGE keeps it: the time measured is the page's, not a new
    connection's."""
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


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


def captured_queries(function: Callable[[], object]) -> list[dict]:
    """The SQL one call runs, with times (the query log is cleared first, so it never overflows)."""
    from django.db import connection, reset_queries

    connection.force_debug_cursor = True
    reset_queries()
    try:
        function()
        return list(connection.queries_log)
    finally:
        connection.force_debug_cursor = False


def timed(function: Callable[[], object], n: int) -> float:
    """The median wall time of ``n`` calls, in ms."""
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure_page(label: str, client, url: str, requests: int, width: int = 30) -> float:
    """Warm up, capture one request's queries, then the median of ``requests``; prints a line."""
    for _ in range(3):  # warm-up: connection, templates, caches
        assert client.get(url).status_code == 200, url
    queries = captured_queries(lambda: client.get(url))
    median = timed(lambda: client.get(url), requests)
    slowest = max(float(q["time"]) for q in queries)
    print(
        f"{label:{width}} median {median:6.1f} ms · {len(queries):2d} queries · slowest query {slowest * 1000:.1f} ms"
    )
    return median
