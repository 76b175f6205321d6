"""What each role sees: back office all, a master its distributors, owner and dispatcher their
distributor, a technician their crew, anybody else nothing — and another tenant's folio is a 404."""

from __future__ import annotations

import pytest
from django.http import Http404

from asignaciones import actions
from asignaciones.selectors import get_order_for, orders_visible_to, policies_visible_to
from cuadrillas.selectors import crews_visible_to
from heat.models import Master
from tests import factories


@pytest.fixture
def world(distributor_a, distributor_b, crew_a1, crew_a2, crew_b1, dispatcher_a):
    """Folios of A (one on crew A1, one on crew A2, one new) and of B, and a third distributor
    under another master."""
    other_master = Master.objects.create(name="Máster Norte")
    distributor_c = factories.make_distributor("dist-c", master=other_master, city="Monterrey")
    on_a1 = actions.assign(factories.make_order(distributor_a), crew_a1, by=dispatcher_a)
    on_a2 = actions.assign(factories.make_order(distributor_a), crew_a2, by=dispatcher_a)
    new_a = factories.make_order(distributor_a)
    of_b = factories.make_order(distributor_b)
    of_c = factories.make_order(distributor_c)
    return {"a1": on_a1, "a2": on_a2, "new_a": new_a, "b": of_b, "c": of_c}


def folios(user) -> set[str]:
    return set(orders_visible_to(user).values_list("folio", flat=True))


def test_back_office_sees_every_folio(world, back_office):
    assert folios(back_office) == {o.folio for o in world.values()}


def test_a_master_sees_the_folios_of_its_distributors_only(world, master_viewer, distributor_b):
    # Distributor A is under the master; B and C are not.
    assert folios(master_viewer) == {world["a1"].folio, world["a2"].folio, world["new_a"].folio}


def test_owner_and_dispatcher_see_their_distributors_folios(world, owner_a, dispatcher_a):
    expected = {world["a1"].folio, world["a2"].folio, world["new_a"].folio}
    assert folios(owner_a) == expected
    assert folios(dispatcher_a) == expected


def test_a_technician_sees_only_the_folios_of_their_crew(world, technician_a):
    assert folios(technician_a) == {world["a1"].folio}


def test_a_user_without_a_role_sees_nothing(world):
    nobody = factories.make_user("nadie")
    assert folios(nobody) == set()
    assert not crews_visible_to(nobody).exists()
    assert not policies_visible_to(nobody).exists()


def test_an_inactive_technician_sees_nothing(world, technician_a):
    technician_a.technician.active = False
    technician_a.technician.save(update_fields=["active"])
    technician_a.refresh_from_db()
    assert folios(technician_a) == set()


def test_another_distributors_folio_is_a_404_exactly_like_a_missing_one(world, outsider):
    with pytest.raises(Http404) as foreign:
        get_order_for(outsider, world["a1"].folio)
    with pytest.raises(Http404) as missing:
        get_order_for(outsider, "NO-EXISTE")
    assert str(foreign.value) == str(missing.value)
    assert get_order_for(outsider, world["b"].folio).folio == world["b"].folio


def test_the_folio_comes_with_its_traffic_light(world, dispatcher_a):
    order = get_order_for(dispatcher_a, world["new_a"].folio)
    assert order.light == "green"


def test_crews_are_scoped_like_orders(world, back_office, master_viewer, dispatcher_a, technician_a, outsider):
    codes = lambda user: set(crews_visible_to(user).values_list("distributor__code", "code"))  # noqa: E731
    assert codes(back_office) == {("dist-a", "A1"), ("dist-a", "A2"), ("dist-b", "B1")}
    assert codes(master_viewer) == {("dist-a", "A1"), ("dist-a", "A2")}
    assert codes(dispatcher_a) == {("dist-a", "A1"), ("dist-a", "A2")}
    assert codes(technician_a) == {("dist-a", "A1")}
    assert codes(outsider) == {("dist-b", "B1")}
