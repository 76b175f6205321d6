"""The shared cast (STYLE.md): an owner and a dispatcher of distributor A, a technician of one of
A's crews, staff of distributor B (the outsider), a master viewer over A, and a back-office user."""

from __future__ import annotations

import pytest

from asignaciones.catalogue import ensure_catalogue
from asignaciones.models import Policy
from heat.models import Master, Membership
from tests import factories


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the company catalogue once into the test database; each test's transaction then
    starts from it (transactional tests flush it, and the fixture below reloads it)."""
    with django_db_blocker.unblock():
        ensure_catalogue()


@pytest.fixture
def catalogue(db):
    if not Policy.objects.exists():
        ensure_catalogue()


@pytest.fixture
def master(db):
    return Master.objects.create(name="Máster Centro")


@pytest.fixture
def distributor_a(catalogue, master):
    return factories.make_distributor("dist-a", master=master)


@pytest.fixture
def distributor_b(catalogue):
    return factories.make_distributor(
        "dist-b",
        name="Distribuidor Guadalajara",
        city="Guadalajara",
        base_latitude="20.659700",
        base_longitude="-103.349600",
        coverage_postal_codes=["44100"],
        time_zone="America/Mexico_City",
    )


@pytest.fixture
def crew_a1(distributor_a):
    # Base in Coyoacán, about 6 km from the default order's address.
    return factories.make_crew(distributor_a, "A1", lat="19.350000", lon="-99.162000")


@pytest.fixture
def crew_a2(distributor_a):
    # Base in Azcapotzalco, farther north.
    return factories.make_crew(distributor_a, "A2", lat="19.484000", lon="-99.184000")


@pytest.fixture
def crew_b1(distributor_b):
    return factories.make_crew(distributor_b, "B1", lat="20.670000", lon="-103.350000")


@pytest.fixture
def owner_a(distributor_a):
    return factories.make_member("owner_a", distributor_a, Membership.Role.OWNER)


@pytest.fixture
def dispatcher_a(distributor_a):
    return factories.make_member("dispatcher_a", distributor_a, Membership.Role.DISPATCHER)


@pytest.fixture
def technician_a(crew_a1):
    return factories.make_technician("tecnico_a", crew_a1).user


@pytest.fixture
def outsider(distributor_b):
    """Staff of distributor B: must never see A's data."""
    return factories.make_member("dispatcher_b", distributor_b, Membership.Role.DISPATCHER)


@pytest.fixture
def master_viewer(master):
    user = factories.make_user("master_viewer")
    Membership.objects.create(user=user, master=master, role=Membership.Role.MASTER_VIEWER)
    return user


@pytest.fixture
def back_office(db):
    return factories.make_user("oficina", is_staff=True, is_superuser=True)


@pytest.fixture
def order_a(distributor_a):
    return factories.make_order(distributor_a)


@pytest.fixture
def assigned_order_a(order_a, crew_a1, dispatcher_a):
    from asignaciones import actions

    return actions.assign(order_a, crew_a1, by=dispatcher_a)
