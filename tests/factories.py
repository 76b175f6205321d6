"""Shared builders for test data. Orders are made through the actions, as the portal makes them."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from asignaciones import actions
from asignaciones.models import Brand, Order, ServiceType
from cuadrillas.models import Crew, Technician
from heat.models import Distributor, Master, Membership

PASSWORD = "una-clave-de-prueba"
_folios = itertools.count(1)


def make_user(username: str, **fields: Any):
    User = get_user_model()
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    return user


def make_distributor(code: str, *, master: Master | None = None, **fields: Any) -> Distributor:
    defaults = {
        "name": f"Distribuidor {code.upper()}",
        "city": "Ciudad de México",
        "state": "CDMX",
        "base_latitude": Decimal("19.432600"),
        "base_longitude": Decimal("-99.133200"),
        "coverage_radius_km": Decimal("40"),
        "coverage_postal_codes": ["03100"],
    }
    defaults.update(fields)
    return Distributor.objects.create(code=code, master=master, **defaults)


def make_member(username: str, distributor: Distributor, role: str = Membership.Role.DISPATCHER):
    user = make_user(username, first_name=username.title())
    Membership.objects.create(user=user, distributor=distributor, role=role)
    return user


def make_crew(distributor: Distributor, code: str, *, lat: str, lon: str, **fields: Any) -> Crew:
    crew = Crew.objects.create(
        distributor=distributor,
        code=code,
        name=f"Cuadrilla {code}",
        base_latitude=Decimal(lat),
        base_longitude=Decimal(lon),
        **fields,
    )
    crew.brands.set(Brand.objects.all())
    crew.service_types.set(ServiceType.objects.all())
    return crew


def make_technician(username: str, crew: Crew) -> Technician:
    user = make_user(username, first_name=username.title())
    return Technician.objects.create(user=user, crew=crew, employee_number=f"E-{username}", phone="5512345678")


def make_order(
    distributor: Distributor,
    *,
    brand: str = "sky",
    service_type: str = "INS",
    folio: str | None = None,
    by=None,
    **fields: Any,
) -> Order:
    defaults = {
        "customer_name": "Cliente de Prueba",
        "customer_phone": "5550001111",
        "account_number": "500123",
        "street": "Av. Insurgentes Sur",
        "exterior_number": "100",
        "neighborhood": "Del Valle",
        "municipality": "Benito Juárez",
        "city": "Ciudad de México",
        "state": "CDMX",
        "postal_code": "03100",
        "latitude": Decimal("19.390000"),
        "longitude": Decimal("-99.170000"),
    }
    defaults.update(fields)
    return actions.route_order(
        folio=folio or f"F{next(_folios):07d}",
        distributor=distributor,
        brand=Brand.objects.get(code=brand),
        service_type=ServiceType.objects.get(code=service_type),
        by=by,
        **defaults,
    )
