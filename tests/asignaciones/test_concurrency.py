"""Two dispatchers can never both assign one folio: the row lock makes the actions serial."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from asignaciones import actions
from asignaciones.models import Order, OrderEvent
from asignaciones.rules import OrderActionError
from tests import factories


def run_at_once(functions) -> list:
    """Run each function in its own thread (own database connection), released together."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # the outcome under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_several_dispatchers_assigning_one_folio_at_once_exactly_one_wins(
    catalogue, distributor_a, dispatcher_a, owner_a
):
    crews = [factories.make_crew(distributor_a, f"C{i}", lat="19.40", lon=f"-99.1{i}") for i in range(4)]
    order = factories.make_order(distributor_a)
    users = [dispatcher_a, owner_a, dispatcher_a, owner_a]
    results = run_at_once([lambda c=c, u=u: actions.assign(order, c, by=u) for c, u in zip(crews, users, strict=True)])

    winners = [r for r in results if isinstance(r, Order)]
    losers = [r for r in results if isinstance(r, OrderActionError)]
    assert len(winners) == 1 and len(losers) == 3, results
    order.refresh_from_db()
    assert order.status == Order.Status.ASSIGNED and order.crew_id == winners[0].crew_id
    assert OrderEvent.objects.filter(order=order, kind="assigned").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_folios_racing_for_a_crews_last_place_get_one_place(catalogue, distributor_a, dispatcher_a):
    crew = factories.make_crew(distributor_a, "UNO", lat="19.40", lon="-99.15", daily_capacity=1)
    first, second = factories.make_order(distributor_a), factories.make_order(distributor_a)
    results = run_at_once([lambda o=o: actions.assign(o, crew, by=dispatcher_a) for o in (first, second)])
    assert sorted(type(r).__name__ for r in results) == ["Order", "OrderActionError"], results
    assert Order.objects.filter(crew=crew).count() == 1
