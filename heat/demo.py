"""Demo data: a realistic, deterministic organisation and its folios (DOMAIN.md).

``build_demo`` creates, once, one master, four distributors in four cities and three time zones,
their crews, technicians and portal users, and about 2,000 folios over the last 30 days and the
next 7 in every status, type and brand, each with an audit trail consistent with its status, the
material declared and the billing line of the completed ones. ``add_orders`` adds any number of
folios more for benchmarks (one distributor gets a large open board).

Folios are written with PostgreSQL's COPY (psycopg 3), so hundreds of thousands take seconds; the
rows go through every database constraint like any other insert. Everything random comes from one
seeded ``random.Random``: the same seed on the same day gives the same data.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import multiprocessing
import os
import queue
import random
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from asignaciones import sla
from asignaciones.catalogue import ensure_catalogue
from asignaciones.models import (
    Action,
    Brand,
    Material,
    MaterialUsage,
    Order,
    OrderEvent,
    Reason,
    ServiceType,
    TechnicianRequest,
    VisitCheckIn,
)
from asignaciones.rules import policy_for
from cuadrillas.geo import great_circle_km
from cuadrillas.models import Crew, StockMovement, Technician
from facturacion.billing import CENT, PENALTY_CAP, PENALTY_PER_DAY, days_late, paid_km
from facturacion.models import BillingLine, CommissionRate
from heat.models import ContactPerson, Distributor, Master, Membership

DEFAULT_SEED = 2026
DEFAULT_FOLIOS = 2000
MASTER_NAME = "Máster Centro"
BACK_OFFICE_USERNAME = "oficina"
MASTER_VIEWER_USERNAME = "master_centro"
# The demo folios are numbers: 7xxxxxxxx for the demo set, 8xxxxxxxx for the ones added for scale.
BASE_FOLIO = 700_000_000
SCALE_FOLIO = 800_000_000

S = Order.Status
K = OrderEvent.Kind
L = sla.Light
HOUR = dt.timedelta(hours=1)
WINDOW_CODES = [Order.Window.MORNING.value, Order.Window.AFTERNOON.value]


# --- the organisation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    neighborhood: str
    postal_code: str
    municipality: str
    latitude: float
    longitude: float
    state: str = ""  # when it differs from the distributor's


@dataclass(frozen=True)
class CityPlan:
    code: str
    short: str
    name: str
    legal_name: str
    rfc: str
    city: str
    state: str
    time_zone: str
    latitude: float
    longitude: float
    phone_prefix: str
    under_master: bool
    share: float  # of the demo folios
    crew_zones: tuple[str, ...]
    places: tuple[Place, ...]  # inside the coverage area; the first six are the listed postal codes
    far_places: tuple[Place, ...]  # outside it (more than the radius away, postal code not listed)
    avenues: tuple[str, ...]
    owner: tuple[str, str]
    dispatcher: tuple[str, str]
    contacts: tuple[tuple[str, str], ...]


CITIES: tuple[CityPlan, ...] = (
    CityPlan(
        code="cdmx-centro",
        short="cdmx",
        name="Satelital Centro CDMX",
        legal_name="Satelital Centro de México, S.A. de C.V.",
        rfc="SCM150312AB1",
        city="Ciudad de México",
        state="Ciudad de México",
        time_zone="America/Mexico_City",
        latitude=19.4326,
        longitude=-99.1332,
        phone_prefix="55",
        under_master=True,
        share=0.35,
        crew_zones=("Centro", "Coyoacán", "Iztapalapa", "Azcapotzalco", "Polanco", "Tlalpan"),
        places=(
            Place("Centro", "06000", "Cuauhtémoc", 19.4326, -99.1332),
            Place("Roma Norte", "06700", "Cuauhtémoc", 19.4195, -99.1619),
            Place("Condesa", "06140", "Cuauhtémoc", 19.4120, -99.1730),
            Place("Del Valle Centro", "03100", "Benito Juárez", 19.3850, -99.1650),
            Place("Narvarte Poniente", "03020", "Benito Juárez", 19.3960, -99.1560),
            Place("Villa Coyoacán", "04000", "Coyoacán", 19.3500, -99.1620),
            Place("Polanco V Sección", "11560", "Miguel Hidalgo", 19.4320, -99.1950),
            Place("Lindavista", "07300", "Gustavo A. Madero", 19.4880, -99.1330),
            Place("San Lucas", "09000", "Iztapalapa", 19.3570, -99.0930),
            Place("Santa Fe", "05348", "Cuajimalpa de Morelos", 19.3600, -99.2600),
            Place("Tlalpan Centro", "14000", "Tlalpan", 19.2900, -99.1700),
            Place("Azcapotzalco Centro", "02000", "Azcapotzalco", 19.4840, -99.1840),
            Place("Tacubaya", "11870", "Miguel Hidalgo", 19.4020, -99.1870),
            Place("Agrícola Oriental", "08500", "Iztacalco", 19.3950, -99.0700),
            Place("Benito Juárez", "57000", "Nezahualcóyotl", 19.4000, -99.0150, "Estado de México"),
            Place("Ciudad Satélite", "53100", "Naucalpan de Juárez", 19.5100, -99.2350, "Estado de México"),
        ),
        far_places=(
            Place("Zumpango Centro", "55600", "Zumpango", 19.7970, -99.0990, "Estado de México"),
            Place("Amecameca Centro", "56900", "Amecameca", 19.1240, -98.7660, "Estado de México"),
            Place("Huehuetoca Centro", "54680", "Huehuetoca", 19.8330, -99.2040, "Estado de México"),
            Place("San Juan Teotihuacán", "55800", "Teotihuacán", 19.6890, -98.8600, "Estado de México"),
        ),
        avenues=(
            "Av. Insurgentes Sur",
            "Eje Central Lázaro Cárdenas",
            "Av. Revolución",
            "Calzada de Tlalpan",
            "Av. Universidad",
            "Av. División del Norte",
        ),
        owner=("Ricardo", "Salgado Ortiz"),
        dispatcher=("Mariana", "López Herrera"),
        contacts=(("Ricardo Salgado Ortiz", "Director general"), ("Patricia Núñez Vera", "Administración")),
    ),
    CityPlan(
        code="gdl-occidente",
        short="gdl",
        name="Antenas de Occidente",
        legal_name="Antenas y Señales de Occidente, S.A. de C.V.",
        rfc="ASO170825K93",
        city="Guadalajara",
        state="Jalisco",
        time_zone="America/Mexico_City",
        latitude=20.6597,
        longitude=-103.3496,
        phone_prefix="33",
        under_master=True,
        share=0.25,
        crew_zones=("Centro", "Zapopan", "Tlaquepaque", "Tonalá", "Providencia"),
        places=(
            Place("Centro", "44100", "Guadalajara", 20.6767, -103.3475),
            Place("Americana", "44160", "Guadalajara", 20.6710, -103.3700),
            Place("Providencia", "44630", "Guadalajara", 20.6950, -103.3850),
            Place("Chapalita", "44500", "Guadalajara", 20.6650, -103.4000),
            Place("Oblatos", "44700", "Guadalajara", 20.6920, -103.3000),
            Place("Tlaquepaque Centro", "45500", "San Pedro Tlaquepaque", 20.6400, -103.3110),
            Place("Zapopan Centro", "45100", "Zapopan", 20.7230, -103.3880),
            Place("Tonalá Centro", "45400", "Tonalá", 20.6240, -103.2340),
            Place("Las Águilas", "45080", "Zapopan", 20.6390, -103.4180),
            Place("Tlajomulco Centro", "45640", "Tlajomulco de Zúñiga", 20.4740, -103.4440),
        ),
        far_places=(
            Place("Chapala Centro", "45900", "Chapala", 20.2960, -103.1910),
            Place("Tala Centro", "45300", "Tala", 20.6530, -103.7020),
            Place("Ameca Centro", "46600", "Ameca", 20.5480, -104.0470),
        ),
        avenues=(
            "Av. Vallarta",
            "Av. López Mateos",
            "Av. Chapultepec",
            "Av. Juárez",
            "Av. Patria",
            "Calzada Independencia",
        ),
        owner=("Javier", "Orozco Medina"),
        dispatcher=("Lucía", "Ramírez Gómez"),
        contacts=(("Javier Orozco Medina", "Director"), ("Fernanda Íñiguez Ruiz", "Coordinación operativa")),
    ),
    CityPlan(
        code="mty-norte",
        short="mty",
        name="Instalaciones del Norte",
        legal_name="Instalaciones Satelitales del Norte, S. de R.L. de C.V.",
        rfc="ISN180214TQ5",
        city="Monterrey",
        state="Nuevo León",
        time_zone="America/Monterrey",
        latitude=25.6866,
        longitude=-100.3161,
        phone_prefix="81",
        under_master=True,
        share=0.25,
        crew_zones=("Centro", "San Nicolás", "Guadalupe", "San Pedro", "Apodaca"),
        places=(
            Place("Centro", "64000", "Monterrey", 25.6714, -100.3090),
            Place("Obispado", "64060", "Monterrey", 25.6760, -100.3440),
            Place("Mitras Centro", "64460", "Monterrey", 25.6950, -100.3500),
            Place("Contry", "64860", "Monterrey", 25.6300, -100.2750),
            Place("San Nicolás Centro", "66400", "San Nicolás de los Garza", 25.7440, -100.3020),
            Place("Guadalupe Centro", "67100", "Guadalupe", 25.6770, -100.2590),
            Place("San Pedro Centro", "66230", "San Pedro Garza García", 25.6570, -100.4020),
            Place("Apodaca Centro", "66600", "Apodaca", 25.7810, -100.1880),
            Place("Santa Catarina Centro", "66350", "Santa Catarina", 25.6730, -100.4580),
            Place("Escobedo Centro", "66050", "General Escobedo", 25.7930, -100.3180),
        ),
        far_places=(
            Place("Montemorelos Centro", "67500", "Montemorelos", 25.1870, -99.8270),
            Place("Allende Centro", "67350", "Allende", 25.2800, -100.0230),
        ),
        avenues=(
            "Av. Constitución",
            "Av. Eugenio Garza Sada",
            "Av. Gonzalitos",
            "Av. Francisco I. Madero",
            "Av. Abraham Lincoln",
            "Av. Ruiz Cortines",
        ),
        owner=("Héctor", "Garza Treviño"),
        dispatcher=("Sofía", "Cantú Villarreal"),
        contacts=(("Héctor Garza Treviño", "Director general"), ("Daniela Elizondo Leal", "Facturación")),
    ),
    CityPlan(
        code="tij-pacifico",
        short="tij",
        name="Señal Pacífico Tijuana",
        legal_name="Señal Pacífico, S.A. de C.V.",
        rfc="SPA190630MX2",
        city="Tijuana",
        state="Baja California",
        time_zone="America/Tijuana",
        latitude=32.5149,
        longitude=-117.0382,
        phone_prefix="664",
        under_master=False,
        share=0.15,
        crew_zones=("Centro", "Otay", "Playas", "La Mesa"),
        places=(
            Place("Zona Centro", "22000", "Tijuana", 32.5330, -117.0380),
            Place("Zona Río", "22010", "Tijuana", 32.5250, -117.0230),
            Place("Chapultepec", "22020", "Tijuana", 32.5100, -117.0100),
            Place("Otay Constituyentes", "22457", "Tijuana", 32.5300, -116.9600),
            Place("Playas de Tijuana", "22500", "Tijuana", 32.5280, -117.1150),
            Place("La Mesa", "22105", "Tijuana", 32.5080, -116.9900),
            Place("Villa Fontana", "22205", "Tijuana", 32.4770, -116.9240),
            Place("El Florido", "22237", "Tijuana", 32.4680, -116.8650),
            Place("Cerro Colorado", "22223", "Tijuana", 32.4960, -116.9470),
            Place("Rosarito Centro", "22700", "Playas de Rosarito", 32.3600, -117.0560),
        ),
        far_places=(
            Place("Tecate Centro", "21400", "Tecate", 32.5720, -116.6260),
            Place("Ensenada Centro", "22800", "Ensenada", 31.8660, -116.5960),
        ),
        avenues=(
            "Blvd. Agua Caliente",
            "Av. Revolución",
            "Blvd. Díaz Ordaz",
            "Paseo de los Héroes",
            "Blvd. Insurgentes",
            "Vía Rápida Oriente",
        ),
        owner=("Alejandro", "Valenzuela Soto"),
        dispatcher=("Karla", "Félix Castro"),
        contacts=(("Alejandro Valenzuela Soto", "Gerente general"), ("Brenda Osuna Lugo", "Operaciones")),
    ),
)
BENCH_DISTRIBUTOR = CITIES[0].code  # gets the large open board in --orders mode
COVERAGE_RADIUS_KM = Decimal("35")

FIRST_NAMES = (
    "José", "María", "Juan", "Guadalupe", "Luis", "Ana", "Carlos", "Rosa", "Jorge", "Verónica",
    "Miguel", "Leticia", "Francisco", "Alejandra", "Antonio", "Gabriela", "Jesús", "Patricia",
    "Roberto", "Claudia", "Fernando", "Adriana", "Ricardo", "Martha", "Eduardo", "Silvia",
    "Raúl", "Elena", "Arturo", "Teresa", "Sergio", "Norma", "Manuel", "Yolanda", "Alberto", "Laura",
)  # fmt: skip
SURNAMES = (
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
    "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres",
    "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero",
    "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina",
)  # fmt: skip
STREETS = (
    "Calle Morelos", "Calle Hidalgo", "Calle 5 de Mayo", "Calle Allende", "Calle Zaragoza",
    "Calle Guerrero", "Calle Independencia", "Calle Aldama", "Calle Matamoros", "Calle Abasolo",
    "Calle Nicolás Bravo", "Calle Emiliano Zapata", "Calle Francisco I. Madero", "Calle Benito Juárez",
    "Calle Niños Héroes", "Calle Cuauhtémoc", "Calle Pino", "Calle Fresno", "Calle Cedro",
    "Calle Jacarandas", "Calle Las Rosas", "Calle Girasoles", "Calle Colibrí", "Calle Río Lerma",
    "Calle Sor Juana Inés de la Cruz", "Calle Ignacio Zaragoza", "Privada Los Olivos", "Cerrada del Sol",
)  # fmt: skip
REFERENCES = (
    "Casa color azul con portón negro",
    "Frente a la tienda de abarrotes",
    "A un costado de la iglesia",
    "Esquina con farmacia",
    "Junto a la escuela primaria",
    "Portón café; el timbre no sirve, llamar por teléfono",
    "Casa de dos pisos con barandal blanco",
    "Edificio B, preguntar por el titular en la caseta",
    "Enfrente del parque",
    "Casa amarilla con árbol de mango",
    "A media cuadra del mercado",
    "Zaguán verde, tocar fuerte",
    "Tienda OXXO en la esquina",
    "Unidad habitacional, acceso por la calle de atrás",
    "",
)
PACKAGES = {
    "sky": ("SKY Fun", "SKY Plus", "SKY HD", "SKY Básico", "SKY Power"),
    "vetv": ("VeTV Mini", "VeTV Básico", "VeTV Súper", "VeTV Total"),
    "blue": ("Blue Internet 20 Mbps", "Blue Internet 50 Mbps", "Blue Doble Play", "Blue Telefonía"),
}
BRAND_WEIGHTS = {"sky": 0.6, "vetv": 0.28, "blue": 0.12}
TYPE_WEIGHTS = {
    "sky": {"INS": 22, "REP": 30, "CDOM": 6, "REI": 7, "GAR": 8, "ADI": 10, "UNI": 4, "REC": 13},
    "vetv": {"INS": 25, "REP": 28, "CDOM": 5, "REI": 7, "GAR": 7, "ADI": 8, "UNI": 5, "REC": 15},
    "blue": {"INS": 45, "REP": 35, "CDOM": 8, "GAR": 7, "ADI": 5},
}
# The demo set's mix of statuses, and the open ones' traffic light.
BASE_STATUS_WEIGHTS = {
    S.COMPLETED: 55,
    S.REJECTED: 5,
    S.CANCELLED: 6,
    S.NEW: 14,
    S.ASSIGNED: 13,
    S.IN_PROGRESS: 7,
}
SCALE_CLOSED_WEIGHTS = {S.COMPLETED: 85, S.REJECTED: 6, S.CANCELLED: 9}
SCALE_OPEN_WEIGHTS = {S.NEW: 70, S.ASSIGNED: 24, S.IN_PROGRESS: 6}
PRIORITY_WEIGHTS = {1: 15, 2: 70, 3: 15}
OPEN_LIGHT_WEIGHTS = {L.RED: 22, L.YELLOW: 20, L.GREEN: 58}
SOLUTION_CODES = {
    "INS": ("INST_OK", "INST_OK", "INST_EXTRA"),
    "CDOM": ("INST_OK", "INST_OK", "INST_EXTRA"),
    "REI": ("INST_OK", "INST_EXTRA", "REORIENTA"),
    "ADI": ("INST_OK", "INST_OK", "INST_EXTRA"),
    "UNI": ("INST_OK", "REFRESH"),
    "REP": ("REORIENTA", "LNB", "CABLE", "CAMBIO_IRD", "REFRESH", "TV_CLIENTE"),
    "GAR": ("LNB", "CABLE", "CAMBIO_IRD", "REFRESH", "REORIENTA"),
    "REC": ("IRD_RECUP", "IRD_RECUP", "RECUP_PARCIAL", "PAGO_EQUIPO", "NO_LOCALIZADO"),
}
CLOSING_COMMENTS = {
    "INST_OK": "Instalación terminada, señal al 90 %. Cliente conforme.",
    "INST_EXTRA": "Se ocupó cable adicional por la distancia a la azotea.",
    "REORIENTA": "Antena desalineada por el viento; se reorientó.",
    "LNB": "LNB dañado por humedad; se cambió.",
    "CABLE": "Conectores sulfatados; se cambiaron cable y conectores.",
    "CAMBIO_IRD": "Receptor sin encender; se cambió el IRD.",
    "REFRESH": "Se envió refresh de señal; quedó funcionando.",
    "TV_CLIENTE": "La falla es del televisor del cliente; el servicio funciona.",
    "IRD_RECUP": "Se recuperó el equipo completo.",
    "RECUP_PARCIAL": "Se recuperó el receptor; el cliente no entregó el control.",
    "PAGO_EQUIPO": "El cliente pagó el equipo.",
    "NO_LOCALIZADO": "El cliente ya no tiene el equipo.",
}


def demo_logins() -> list[tuple[str, str]]:
    """(username, what the user is) for every demo login, in a stable order."""
    logins = [
        (BACK_OFFICE_USERNAME, "back_office"),
        (MASTER_VIEWER_USERNAME, "master_viewer"),
    ]
    for plan in CITIES:
        logins.append((f"{plan.short}_dueno", f"owner:{plan.name}"))
        logins.append((f"{plan.short}_despacho", f"dispatcher:{plan.name}"))
    return logins


def demo_exists() -> bool:
    return Distributor.objects.filter(code=CITIES[0].code).exists()


def _user(username: str, first: str, last: str, password_hash: str, **flags: Any):
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.heat.invalid",
            "password": password_hash,
            **flags,
        },
    )
    return user


@transaction.atomic
def build_organisation(rng: random.Random, *, password: str) -> None:
    """Master, distributors, contacts, crews, technicians and users (each created once)."""
    # One hash for every demo user: hashing the same password 50 times would take most of a minute.
    password_hash = make_password(password)
    _user(BACK_OFFICE_USERNAME, "Laura", "Méndez Ochoa", password_hash, is_staff=True, is_superuser=True)
    master, _ = Master.objects.get_or_create(name=MASTER_NAME, defaults={"rfc": "MCE140101H27"})
    viewer = _user(MASTER_VIEWER_USERNAME, "Ernesto", "Villaseñor Paz", password_hash)
    Membership.objects.get_or_create(user=viewer, defaults={"role": Membership.Role.MASTER_VIEWER, "master": master})
    brands = {brand.code: brand for brand in Brand.objects.all()}
    types = {service_type.code: service_type for service_type in ServiceType.objects.all()}
    for plan in CITIES:
        distributor, created = Distributor.objects.get_or_create(
            code=plan.code,
            defaults={
                "master": master if plan.under_master else None,
                "name": plan.name,
                "legal_name": plan.legal_name,
                "rfc": plan.rfc,
                "phone": _phone(rng, plan.phone_prefix),
                "email": f"contacto@{plan.short}.demo.heat.invalid",
                "address": f"{plan.avenues[0]} {_randint(rng, 100, 2999)}, {plan.places[0].neighborhood}",
                "city": plan.city,
                "state": plan.state,
                "time_zone": plan.time_zone,
                "base_latitude": _dec(plan.latitude),
                "base_longitude": _dec(plan.longitude),
                "coverage_postal_codes": [place.postal_code for place in plan.places[:6]],
                "coverage_radius_km": COVERAGE_RADIUS_KM,
            },
        )
        if created:
            ContactPerson.objects.bulk_create(
                ContactPerson(
                    distributor=distributor,
                    name=name,
                    position=position,
                    phone=_phone(rng, plan.phone_prefix),
                    email=f"{name.split()[0].lower()}@{plan.short}.demo.heat.invalid",
                )
                for name, position in plan.contacts
            )
        for role, (first, last), suffix in (
            (Membership.Role.OWNER, plan.owner, "dueno"),
            (Membership.Role.DISPATCHER, plan.dispatcher, "despacho"),
        ):
            member = _user(f"{plan.short}_{suffix}", first, last, password_hash)
            Membership.objects.get_or_create(user=member, defaults={"role": role, "distributor": distributor})
        for index, zone in enumerate(plan.crew_zones):
            place = next((p for p in plan.places if zone in p.neighborhood or zone in p.municipality), None)
            base_lat = (place.latitude if place else plan.latitude) + rng.uniform(-0.01, 0.01)
            base_lon = (place.longitude if place else plan.longitude) + rng.uniform(-0.01, 0.01)
            crew, created = Crew.objects.get_or_create(
                distributor=distributor,
                code=f"C{index + 1:02d}",
                defaults={
                    "name": f"Cuadrilla {zone}",
                    "base_latitude": _dec(base_lat),
                    "base_longitude": _dec(base_lon),
                    "daily_capacity": _randint(rng, 4, 8),
                },
            )
            if created:
                crew.brands.set(_crew_brands(index, brands, rng))
                crew.service_types.set(_crew_types(index, types, rng))
            for letter in "ab":
                first, last = _choice(rng, FIRST_NAMES), f"{_choice(rng, SURNAMES)} {_choice(rng, SURNAMES)}"
                username = f"{plan.short}_tec{index + 1:02d}{letter}"
                user = _user(username, first, last, password_hash)
                Technician.objects.get_or_create(
                    user=user,
                    defaults={
                        "crew": crew,
                        "phone": _phone(rng, plan.phone_prefix),
                        "employee_number": f"{plan.short.upper()}-{index + 1:02d}{letter.upper()}",
                    },
                )


def _crew_brands(index: int, brands: dict[str, Brand], rng: random.Random) -> list[Brand]:
    # The first crew of each distributor serves everything, so every folio has a crew that fits.
    if index == 0:
        return list(brands.values())
    chosen = [brands["sky"]]
    if rng.random() < 0.7:
        chosen.append(brands["vetv"])
    if index in (1, 3):
        chosen.append(brands["blue"])
    return chosen


def _crew_types(index: int, types: dict[str, ServiceType], rng: random.Random) -> list[ServiceType]:
    if index == 0:
        return list(types.values())
    others = [code for code in types if code not in ("INS", "REP")]
    chosen = ["INS", "REP", *rng.sample(others, _randint(rng, 3, min(5, len(others))))]
    return [types[code] for code in chosen]


def _phone(rng: random.Random, prefix: str) -> str:
    """A ten-digit Mexican phone number with the city's area code."""
    digits = 10 - len(prefix)
    return f"{prefix}{_randrange(rng, 10**digits):0{digits}d}"


def _dec(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


# --- what the generator needs to know -----------------------------------------------------------------


@dataclass
class CrewInfo:
    id: int
    code: str
    latitude: float
    longitude: float
    brand_ids: frozenset[int]
    type_ids: frozenset[int]
    capacity: int
    technician_ids: list[int]


@dataclass
class DistributorInfo:
    distributor: Distributor
    plan: CityPlan
    zone: ZoneInfo
    crews: list[CrewInfo]
    staff_ids: list[int]
    # The latest folio built for the distributor and when it was routed: what a duplicate names.
    last_folio: tuple[str, dt.datetime] | None = None


@dataclass
class Catalogue:
    brands: dict[str, int]
    types: dict[str, ServiceType]
    types_by_id: dict[int, ServiceType]
    reasons: dict[tuple[str, str], Reason]
    materials: dict[str, Material]
    rates: dict[tuple[int, int | None], list[CommissionRate]]
    # (action, order type id): the policy in force, as the events name it
    policies: dict[tuple[str, int], dict[str, Any] | None]
    back_office_id: int | None


@dataclass
class Written:
    orders: int = 0
    events: int = 0
    materials: int = 0
    billing_lines: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def load_organisation() -> list[DistributorInfo]:
    distributors = {d.code: d for d in Distributor.objects.filter(code__in=[plan.code for plan in CITIES])}
    crews = Crew.objects.filter(distributor__in=distributors.values(), active=True).prefetch_related(
        "brands", "service_types", "technicians"
    )
    crews_by_distributor: dict[int, list[CrewInfo]] = defaultdict(list)
    for crew in crews.order_by("distributor_id", "code"):
        crews_by_distributor[crew.distributor_id].append(
            CrewInfo(
                id=crew.pk,
                code=crew.code,
                latitude=float(crew.base_latitude),
                longitude=float(crew.base_longitude),
                brand_ids=frozenset(brand.pk for brand in crew.brands.all()),
                type_ids=frozenset(service_type.pk for service_type in crew.service_types.all()),
                capacity=crew.daily_capacity,
                technician_ids=sorted(t.user_id for t in crew.technicians.all() if t.active),
            )
        )
    staff: dict[int, list[int]] = defaultdict(list)
    for membership in Membership.objects.filter(distributor__in=distributors.values()).order_by("user_id"):
        staff[membership.distributor_id].append(membership.user_id)
    return [
        DistributorInfo(
            distributor=distributors[plan.code],
            plan=plan,
            zone=ZoneInfo(distributors[plan.code].time_zone),
            crews=crews_by_distributor[distributors[plan.code].pk],
            staff_ids=staff[distributors[plan.code].pk],
        )
        for plan in CITIES
        if plan.code in distributors
    ]


def load_catalogue() -> Catalogue:
    types = {service_type.code: service_type for service_type in ServiceType.objects.all()}
    rates: dict[tuple[int, int | None], list[CommissionRate]] = defaultdict(list)
    for rate in CommissionRate.objects.order_by("-valid_from"):
        rates[(rate.service_type_id, rate.brand_id)].append(rate)
    policies = {}
    for action in (Action.RESCHEDULE, Action.REJECT, Action.CANCEL):
        for service_type in types.values():
            policy = policy_for(action, service_type)
            policies[(action, service_type.id)] = (
                {"id": policy.pk, "version": policy.version, "title": policy.title} if policy is not None else None
            )
    back_office = get_user_model().objects.filter(username=BACK_OFFICE_USERNAME).values_list("pk", flat=True)
    return Catalogue(
        brands=dict(Brand.objects.values_list("code", "pk")),
        types=types,
        types_by_id={service_type.pk: service_type for service_type in types.values()},
        reasons={(reason.action, reason.code): reason for reason in Reason.objects.all()},
        materials={material.code: material for material in Material.objects.all()},
        rates=rates,
        policies=policies,
        back_office_id=back_office.first(),
    )


class CrewLoad:
    """Open visits per crew and day, as ``actions.crew_load`` counts them, so that the demo leaves
    room on every crew's day: a dispatcher trying the board can still assign."""

    UNSCHEDULED_MAX = 2

    def __init__(self) -> None:
        self.unscheduled: dict[int, int] = defaultdict(int)
        self.by_day: dict[tuple[int, dt.date], int] = defaultdict(int)

    @classmethod
    def from_database(cls, crew_ids: Iterable[int]) -> CrewLoad:
        load = cls()
        rows = (
            Order.objects.filter(crew_id__in=list(crew_ids), status__in=(S.ASSIGNED, S.IN_PROGRESS))
            .values_list("crew_id", "appointment_date")
            .annotate(n=Count("pk"))
        )
        for crew_id, day, n in rows:
            if day is None:
                load.unscheduled[crew_id] += n
            else:
                load.by_day[(crew_id, day)] += n
        return load

    def fits(self, crew: CrewInfo, day: dt.date | None) -> bool:
        # Keep one place free on every day (two for small crews).
        spare = 1 if crew.capacity >= 6 else 2
        if day is None:
            return self.unscheduled[crew.id] < min(self.UNSCHEDULED_MAX, crew.capacity - spare)
        return self.unscheduled[crew.id] + self.by_day[(crew.id, day)] < crew.capacity - spare

    def take(self, crew: CrewInfo, day: dt.date | None) -> None:
        if day is None:
            self.unscheduled[crew.id] += 1
        else:
            self.by_day[(crew.id, day)] += 1


# --- one folio --------------------------------------------------------------------------------------------


def _hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


def _choice(rng: random.Random, options: Sequence[Any]) -> Any:
    # Indexing with random() is several times faster than Random.choice, and as deterministic.
    return options[int(rng.random() * len(options))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _randrange(rng: random.Random, stop: int) -> int:
    return int(rng.random() * stop)


_CUMULATIVE: dict[int, tuple[list[Any], list[float], float, dict]] = {}


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    """One key of ``weights``, with its weight's probability (the tables are built once)."""
    table = _CUMULATIVE.get(id(weights))
    if table is None or table[3] is not weights:
        cumulative = list(itertools.accumulate(weights.values()))
        table = _CUMULATIVE[id(weights)] = (list(weights), cumulative, cumulative[-1], weights)
    keys, cumulative, total, _weights = table
    return keys[bisect.bisect(cumulative, rng.random() * total)]


NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    """A value in COPY's text format."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _json(data: dict[str, Any]) -> str:
    # json.dumps escapes tabs and newlines inside strings, so only its backslashes need doubling.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\\", "\\\\") if "\\" in text else text


EMPTY_JSON = "{}"


ACCOUNTS_PER_POOL = 1500  # customer accounts per distributor and brand


class Account:
    """A customer's account and address, with what is computed once per address."""

    __slots__ = ("address", "crews", "customer", "paid_km")

    def __init__(self, address: dict[str, Any], customer: dict[str, Any]) -> None:
        self.address = address
        self.customer = customer
        self.crews: dict[int, list[CrewInfo]] = {}  # by order type
        self.paid_km: Decimal | None = None


class FolioWriter:
    """Builds folios and their rows (order, events, material, billing line) for COPY."""

    ORDER_FIELDS = [
        "id", "folio", "service_request", "brand_id", "service_type_id", "status", "priority",
        "distributor_id", "crew_id", "customer_name", "customer_phone", "account_number", "package",
        "street", "exterior_number", "interior_number", "between_streets", "neighborhood", "municipality",
        "city", "state", "postal_code", "references", "latitude", "longitude", "routed_at", "assigned_at",
        "started_at", "closed_at", "appointment_date", "appointment_window", "deadline", "reschedule_count",
        "solution_code_1_id", "solution_code_2_id", "solution_code_3_id", "solution_comments",
        "closing_latitude", "closing_longitude",
    ]  # fmt: skip
    EVENT_FIELDS = ["order_id", "actor_id", "at", "kind", "from_status", "to_status", "reason_id", "note", "data"]
    USAGE_FIELDS = ["order_id", "material_id", "quantity", "serial_number", "recovered"]
    BILLING_FIELDS = [
        "order_id", "distributor_id", "completed_at", "commission", "mileage_km",
        "mileage_amount", "days_late", "penalty", "total",
    ]  # fmt: skip
    CHECK_IN_FIELDS = ["order_id", "technician_id", "at", "latitude", "longitude", "accuracy_m", "distance_m"]
    STOCK_FIELDS = ["crew_id", "material_id", "kind", "quantity", "serial_number", "order_id", "at", "by_id", "note"]

    def __init__(
        self,
        rng: random.Random,
        now: dt.datetime,
        catalogue: Catalogue,
        organisation: list[DistributorInfo],
        load: CrewLoad,
        *,
        lean: bool = False,
    ) -> None:
        self.rng = rng
        # Lean: closings declare their receivers, antenna and cable but not the small consumables
        # (staples, plugs, screws…), a third fewer material and stock rows for the benchmark set.
        self.lean = lean
        self.now = now
        self.catalogue = catalogue
        self.organisation = organisation
        self.load = load
        self.orders: list[str] = []
        self.events: list[str] = []
        self.usages: list[str] = []
        self.billing: list[str] = []
        self.check_ins: list[str] = []
        self.stock: list[str] = []
        # What the crews used, to hand it to them first (entries) so that their balances add up.
        self.handed: dict[tuple[int, int], int] = defaultdict(int)
        self.handed_serials: dict[tuple[int, int], list[str]] = defaultdict(list)
        self.accounts: dict[tuple[int, str], list[Account]] = defaultdict(list)
        self.pipe: CopyPipe | None = None
        self.written = Written()
        self.policy_json = {
            key: _json({"policy": policy}) if policy else EMPTY_JSON for key, policy in catalogue.policies.items()
        }

    # The folio's place and people

    def _address(self, info: DistributorInfo) -> dict[str, Any]:
        rng, plan = self.rng, info.plan
        if rng.random() < 0.06 and plan.far_places:
            place = _choice(rng, plan.far_places)
            spread = 0.01
        else:
            place = _choice(rng, plan.places)
            spread = 0.008
        street = _choice(rng, plan.avenues) if rng.random() < 0.25 else _choice(rng, STREETS)
        crossing = (_choice(rng, STREETS), _choice(rng, STREETS))
        number = "S/N" if rng.random() < 0.04 else str(_randint(rng, 1, 2999))
        interior = _choice(rng, ("", "", "", "A", "B", "Depto. 3", "Int. 2", "Casa 5")) if rng.random() < 0.3 else ""
        return {
            "street": street,
            "exterior_number": number,
            "interior_number": interior,
            "between_streets": f"Entre {crossing[0]} y {crossing[1]}",
            "neighborhood": place.neighborhood,
            "municipality": place.municipality,
            "city": plan.city if not place.state else place.municipality,
            "state": place.state or plan.state,
            "postal_code": place.postal_code,
            "references": _choice(rng, REFERENCES),
            "latitude": round(place.latitude + rng.gauss(0, spread), 6),
            "longitude": round(place.longitude + rng.gauss(0, spread), 6),
        }

    def _customer(self, info: DistributorInfo, brand_code: str) -> dict[str, Any]:
        rng = self.rng
        account_prefix = {"sky": "50", "vetv": "71", "blue": "BT"}[brand_code]
        return {
            "customer_name": f"{_choice(rng, FIRST_NAMES)} {_choice(rng, SURNAMES)} {_choice(rng, SURNAMES)}",
            "customer_phone": _phone(rng, info.plan.phone_prefix),
            "account_number": f"{account_prefix}{_randrange(rng, 10**10):010d}",
            "package": _choice(rng, PACKAGES[brand_code]),
            "service_request": f"SS{_randrange(rng, 10**8):08d}",
        }

    def _crew_for(self, info: DistributorInfo, account: Account, brand_id: int, type_id: int) -> list[CrewInfo]:
        """The crews that serve the folio's brand and type, nearest to the customer first."""
        crews = account.crews.get(type_id)
        if crews is None:
            lat, lon = account.address["latitude"], account.address["longitude"]
            fitting = [c for c in info.crews if brand_id in c.brand_ids and type_id in c.type_ids]
            crews = account.crews[type_id] = sorted(
                fitting, key=lambda c: (c.latitude - lat) ** 2 + (c.longitude - lon) ** 2
            )
        return crews

    def _account(self, info: DistributorInfo, brand_code: str) -> Account:
        """The customer account the folio is for: a new one while the distributor's pool for the
        brand fills up, then one of them again (customers call more than once), which also keeps
        the generation fast for large sets."""
        pool = self.accounts[(info.distributor.id, brand_code)]
        if len(pool) < ACCOUNTS_PER_POOL:
            account = Account(self._address(info), self._customer(info, brand_code))
            pool.append(account)
            return account
        return _choice(self.rng, pool)

    # Times

    def _open_times(
        self, info: DistributorInfo, st: ServiceType, status: str, light: str
    ) -> tuple[dt.datetime, dt.date | None, str]:
        """routed_at and appointment of an open folio whose traffic light should be ``light``."""
        rng, now, zone = self.rng, self.now, info.zone
        today = now.astimezone(zone).date()
        if light == L.RED:
            if rng.random() < 0.35:  # an appointment that was missed
                day = today - dt.timedelta(days=_randint(rng, 1, 3))
                window = _choice(rng, WINDOW_CODES)
                start = sla.window_bounds(day, window, zone)[0]
                return start - _hours(rng.uniform(6, 72)), day, window
            return now - _hours(st.sla_hours + rng.uniform(0.5, 96)), None, ""
        if light == L.YELLOW:
            remaining = rng.uniform(0.1, max(0.2, st.warning_hours - 0.1))
            return now + _hours(remaining - st.sla_hours), None, ""
        # green
        scheduled_share = {S.NEW: 0.25, S.ASSIGNED: 0.7, S.IN_PROGRESS: 0.0}[status]
        if rng.random() < scheduled_share:
            day = today + dt.timedelta(days=_randint(rng, 0, 7))
            window = _choice(rng, WINDOW_CODES)
            while sla.window_bounds(day, window, zone)[1] - st.warning_hours * HOUR <= now:
                day += dt.timedelta(days=1)
            return now - _hours(rng.uniform(0.1, 48)), day, window
        longest = st.sla_hours - st.warning_hours - 0.2
        since_midnight = (now - dt.datetime.combine(today, dt.time(0), tzinfo=zone)).total_seconds() / 3600
        if status == S.NEW and rng.random() < 0.5 and since_midnight > 0.2:
            age = rng.uniform(0.05, min(longest, since_midnight))  # routed today: the board's fresh folios
        else:
            age = rng.uniform(0.05, longest)
        return now - _hours(age), None, ""

    # Building one folio

    def add(self, order_id: int, folio: str, info: DistributorInfo, status: str, *, history_days: float) -> None:
        rng, now, cat = self.rng, self.now, self.catalogue
        brand_code = _pick(rng, BRAND_WEIGHTS)
        type_code = _pick(rng, TYPE_WEIGHTS[brand_code])
        st = cat.types[type_code]
        brand_id = cat.brands[brand_code]
        account = self._account(info, brand_code)
        address, customer = account.address, account.customer
        zone = info.zone
        # (at, actor, kind, from, to, reason, note, details as JSON text)
        events: list[tuple[dt.datetime, int | None, str, str, str, int | None, str, str]] = []
        crew: CrewInfo | None = None
        previous_crew: CrewInfo | None = None
        assigned_at = started_at = closed_at = None
        appointment_date: dt.date | None = None
        window = ""
        from_status_at_close = ""

        is_open = status in Order.OPEN_STATUSES
        if is_open:
            light = _pick(rng, OPEN_LIGHT_WEIGHTS)
            routed_at, appointment_date, window = self._open_times(info, st, status, light)
            if status != S.NEW:
                day = appointment_date if appointment_date else None
                service_day = day or now.astimezone(zone).date()
                candidates = [
                    c
                    for c in self._crew_for(info, account, brand_id, st.id)
                    if self.load.fits(c, day)
                    and (day is not None or self.load.by_day[(c.id, service_day)] < c.capacity - 1)
                ]
                if candidates:
                    crew = candidates[0] if rng.random() < 0.7 or len(candidates) == 1 else candidates[1]
                    self.load.take(crew, day)
                else:
                    status = S.NEW  # every crew that fits is full: the folio waits on the board
            if status in (S.ASSIGNED, S.IN_PROGRESS):
                span = (now - routed_at).total_seconds() / 3600
                if status == S.IN_PROGRESS:
                    started_at = now - _hours(rng.uniform(0.1, min(4.0, max(0.15, span * 0.5))))
                    assigned_at = routed_at + (started_at - routed_at) * rng.uniform(0.1, 0.8)
                else:
                    # Assigned before the visit was due: before the appointment, if it has one.
                    until = now
                    if appointment_date is not None:
                        until = min(now, sla.window_bounds(appointment_date, window, zone)[0])
                    assigned_at = routed_at + (until - routed_at) * rng.uniform(0.05, 0.9)
        else:
            routed_at = now - _hours(rng.uniform(8, history_days * 24))
            if rng.random() < 0.3:
                day = routed_at.astimezone(zone).date() + dt.timedelta(days=_randint(rng, 1, 3))
                window = _choice(rng, WINDOW_CODES)
                if sla.window_bounds(day, window, zone)[1] < now - HOUR:
                    appointment_date = day
                else:
                    window = ""
            deadline = sla.compute_deadline(
                routed_at=routed_at,
                service_type=st,
                zone=zone,
                appointment_date=appointment_date,
                appointment_window=window,
            )
            crews = self._crew_for(info, account, brand_id, st.id)
            crew = crews[0] if rng.random() < 0.7 or len(crews) == 1 else crews[1]
            if status == S.COMPLETED:
                assigned_at, started_at, closed_at = self._visit_times(
                    routed_at, deadline, appointment_date, window, zone, st
                )
                from_status_at_close = S.IN_PROGRESS
            elif status == S.REJECTED:
                closed_at = routed_at + _hours(rng.uniform(0.5, 23))
                if rng.random() < 0.4:
                    assigned_at = routed_at + (closed_at - routed_at) * rng.uniform(0.1, 0.7)
                    from_status_at_close = S.ASSIGNED
                else:
                    crew = None
                    from_status_at_close = S.NEW
            else:  # cancelled
                closed_at = routed_at + _hours(rng.uniform(0.5, 72))
                roll = rng.random()
                if roll < 0.5:
                    crew = None
                    from_status_at_close = S.NEW
                else:
                    assigned_at = routed_at + (closed_at - routed_at) * rng.uniform(0.1, 0.6)
                    from_status_at_close = S.ASSIGNED
                    if roll > 0.85:
                        started_at = assigned_at + (closed_at - assigned_at) * rng.uniform(0.3, 0.9)
                        from_status_at_close = S.IN_PROGRESS
            if closed_at > now - dt.timedelta(minutes=5):
                # Squeeze the folio's life so that it closed some time before now, in order.
                age = (now - routed_at) / HOUR
                target = now - _hours(rng.uniform(0.2, max(0.3, min(48.0, age * 0.5))))
                scale = (target - routed_at) / (closed_at - routed_at)
                assigned_at = routed_at + (assigned_at - routed_at) * scale if assigned_at else None
                started_at = routed_at + (started_at - routed_at) * scale if started_at else None
                closed_at = routed_at + (closed_at - routed_at) * scale

        deadline = sla.compute_deadline(
            routed_at=routed_at,
            service_type=st,
            zone=zone,
            appointment_date=appointment_date,
            appointment_window=window,
        )
        if crew is not None and rng.random() < 0.06 and assigned_at is not None:
            others = [c for c in self._crew_for(info, account, brand_id, st.id) if c.id != crew.id]
            if others:
                previous_crew = _choice(rng, others)

        staff = info.staff_ids or [cat.back_office_id]

        # The trail: routed, reschedules, assignment, visit, closing.
        events.append((routed_at, None, K.ROUTED, "", S.NEW, None, "", EMPTY_JSON))
        reschedule_count = 0
        next_milestone = assigned_at or closed_at or now
        if appointment_date and rng.random() < 0.3:
            reschedule_count = _randint(rng, 1, 2)
            last_at = routed_at + (next_milestone - routed_at) * (reschedule_count / (reschedule_count + 2))
            if sla.window_bounds(appointment_date, window, zone)[0] <= last_at:
                reschedule_count = 0  # the appointment was set when the folio was routed
        if reschedule_count:
            previous_deadline = routed_at + st.sla_hours * HOUR
            previous_date, previous_window = None, ""
            for n in range(reschedule_count):
                at = routed_at + (next_milestone - routed_at) * ((n + 1) / (reschedule_count + 2))
                if n == reschedule_count - 1:
                    date, new_window = appointment_date, window
                else:
                    date = max(at.astimezone(zone).date(), appointment_date - dt.timedelta(days=_randint(rng, 1, 2)))
                    new_window = _choice(rng, WINDOW_CODES)
                reason = cat.reasons[
                    (Action.RESCHEDULE, _choice(rng, ("AUSENTE", "OTRA_FECHA", "CLIMA", "AZOTEA", "TITULAR")))
                ]
                data = {
                    "date": date.isoformat(),
                    "window": new_window,
                    "previous": {
                        "date": previous_date.isoformat() if previous_date else None,
                        "window": previous_window,
                        "deadline": previous_deadline.isoformat(),
                    },
                }
                if cat.policies[(Action.RESCHEDULE, st.id)]:
                    data["policy"] = cat.policies[(Action.RESCHEDULE, st.id)]
                events.append((at, _choice(rng, staff), K.RESCHEDULED, S.NEW, S.NEW, reason.id, "", _json(data)))
                previous_date, previous_window = date, new_window
                previous_deadline = sla.window_bounds(date, new_window, zone)[1]
        if assigned_at is not None and crew is not None:
            first_crew = previous_crew or crew
            events.append(
                (
                    assigned_at,
                    _choice(rng, staff),
                    K.ASSIGNED,
                    S.NEW,
                    S.ASSIGNED,
                    None,
                    "",
                    f'{{"crew":"{first_crew.code}"}}',
                )
            )
            if previous_crew is not None:
                end = started_at or closed_at or now
                at = assigned_at + (end - assigned_at) * rng.uniform(0.2, 0.6)
                data = (
                    f'{{"crew":"{crew.code}","previous_crew":"{previous_crew.code}",'
                    f'"previous_crew_id":{previous_crew.id}}}'
                )
                events.append((at, _choice(rng, staff), K.REASSIGNED, S.ASSIGNED, S.ASSIGNED, None, "", data))
        technician = _choice(rng, crew.technician_ids) if crew and crew.technician_ids else None
        visitor = technician or _choice(rng, staff)
        if started_at is not None:
            self._start(order_id, address, started_at, visitor, events)

        closing: dict[str, Any] = {}
        if status == S.COMPLETED:
            closing = self._complete(
                order_id, info, brand_code, type_code, account, deadline, closed_at, crew_id=crew.id, by=visitor
            )
            events.append(
                (
                    closed_at,
                    visitor,
                    K.COMPLETED,
                    from_status_at_close,
                    S.COMPLETED,
                    closing["solution_code_1_id"],
                    closing["solution_comments"],
                    closing["event_data"],
                )
            )
        elif status == S.REJECTED:
            code = _choice(rng, ("DOMICILIO", "LINEA_VISTA", "RIESGO", "COBERTURA", "NO_RECONOCE", "ESTRUCTURA"))
            reason_id = cat.reasons[(Action.REJECT, code)].id
            data = self.policy_json[(Action.REJECT, st.id)]
            events.append(
                (closed_at, _choice(rng, staff), K.REJECTED, from_status_at_close, S.REJECTED, reason_id, "", data)
            )
        elif status == S.CANCELLED:
            code = _choice(rng, ("RESUELTO", "DUPLICADA", "CLIENTE", "CLIENTE", "IMPOSIBLE"))
            policy = cat.policies[(Action.CANCEL, st.id)]
            data = {"policy": policy} if policy else {}
            if code == "DUPLICADA":
                if info.last_folio and info.last_folio[1] < closed_at:
                    data["duplicate_of"] = info.last_folio[0]
                else:
                    code = "CLIENTE"
            actor = cat.back_office_id if code == "RESUELTO" and cat.back_office_id else _choice(rng, staff)
            note = "Se resolvió por teléfono con el cliente." if code == "RESUELTO" else ""
            reason_id = cat.reasons[(Action.CANCEL, code)].id
            data_json = _json(data) if data else EMPTY_JSON
            events.append(
                (closed_at, actor, K.CANCELLED, from_status_at_close, S.CANCELLED, reason_id, note, data_json)
            )

        a, c = address, customer
        # Each time is written to several rows: format it once.
        iso = {t: t.isoformat() for t in (routed_at, assigned_at, started_at, closed_at) if t is not None}
        sol1 = closing.get("solution_code_1_id") or NULL
        sol2 = closing.get("solution_code_2_id") or NULL
        # Every text here comes from this module's own lists: nothing needs COPY escaping.
        self.orders.append(
            f"{order_id}\t{folio}\t{c['service_request']}\t{brand_id}\t{st.id}\t{status}\t"
            f"{_pick(rng, PRIORITY_WEIGHTS)}\t{info.distributor.id}\t{crew.id if crew else NULL}\t"
            f"{c['customer_name']}\t{c['customer_phone']}\t{c['account_number']}\t{c['package']}\t"
            f"{a['street']}\t{a['exterior_number']}\t{a['interior_number']}\t{a['between_streets']}\t"
            f"{a['neighborhood']}\t{a['municipality']}\t{a['city']}\t{a['state']}\t{a['postal_code']}\t"
            f"{a['references']}\t{a['latitude']}\t{a['longitude']}\t{iso[routed_at]}\t"
            f"{iso.get(assigned_at, NULL)}\t{iso.get(started_at, NULL)}\t{iso.get(closed_at, NULL)}\t"
            f"{appointment_date.isoformat() if appointment_date else NULL}\t{window}\t{deadline.isoformat()}\t"
            f"{reschedule_count}\t{sol1}\t{sol2}\t{NULL}\t{closing.get('solution_comments', '')}\t"
            f"{closing.get('closing_latitude', NULL)}\t{closing.get('closing_longitude', NULL)}"
        )
        for at, actor, kind, from_status, to_status, reason_id, note, data in events:
            self.events.append(
                f"{order_id}\t{actor or NULL}\t{iso.get(at) or at.isoformat()}\t{kind}\t{from_status}\t{to_status}\t"
                f"{reason_id or NULL}\t{note}\t{data}"
            )
        info.last_folio = (folio, routed_at)
        self.written.orders += 1
        self.written.events += len(events)
        self.written.by_status[status] += 1

    def _visit_times(
        self,
        routed_at: dt.datetime,
        deadline: dt.datetime,
        day: dt.date | None,
        window: str,
        zone: ZoneInfo,
        st: ServiceType,
    ) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
        rng = self.rng
        if day is not None:
            start = sla.window_bounds(day, window, zone)[0] + _hours(rng.uniform(0, 4.8))
        elif rng.random() < 0.15:  # late
            start = deadline + _hours(rng.uniform(0.5, 96))
        else:
            start = routed_at + _hours(rng.uniform(1.5, max(2.0, st.sla_hours * 0.85)))
        start = max(start, routed_at + _hours(0.6))
        assigned_at = routed_at + (start - routed_at) * rng.uniform(0.05, 0.6)
        closed_at = start + _hours(rng.uniform(0.4, 2.5))
        return assigned_at, start, closed_at

    def _start(
        self, order_id: int, address: dict[str, Any], started_at: dt.datetime, by: int, events: list[tuple]
    ) -> None:
        """The started event and, for most visits, the technician's check-in (control de visitas):
        the phone's position near the customer, a few far from it."""
        rng = self.rng
        latitude = address["latitude"] + rng.gauss(0, 0.0003)
        longitude = address["longitude"] + rng.gauss(0, 0.0003)
        if rng.random() < 0.04:
            latitude += _choice(rng, (-1, 1)) * rng.uniform(0.005, 0.02)
        latitude, longitude = round(latitude, 6), round(longitude, 6)
        position = f'{{"latitude":"{latitude:.6f}","longitude":"{longitude:.6f}"}}'
        events.append((started_at, by, K.STARTED, S.ASSIGNED, S.IN_PROGRESS, None, "", position))
        if rng.random() < 0.95:
            distance = round(great_circle_km(address["latitude"], address["longitude"], latitude, longitude) * 1000)
            self.check_ins.append(
                f"{order_id}\t{by}\t{started_at.isoformat()}\t{latitude:.6f}\t{longitude:.6f}\t"
                f"{_randint(rng, 4, 40)}\t{distance}"
            )

    def _complete(
        self,
        order_id: int,
        info: DistributorInfo,
        brand_code: str,
        type_code: str,
        account: Account,
        deadline: dt.datetime,
        closed_at: dt.datetime,
        *,
        crew_id: int,
        by: int,
    ) -> dict[str, Any]:
        rng, cat = self.rng, self.catalogue
        address = account.address
        codes = [_choice(rng, SOLUTION_CODES[type_code])]
        if type_code in ("REP", "GAR") and rng.random() < 0.25:
            second = _choice(rng, SOLUTION_CODES[type_code])
            if second != codes[0]:
                codes.append(second)
        if brand_code == "blue":
            codes = [code if code not in ("LNB", "CAMBIO_IRD", "REORIENTA") else "CABLE" for code in codes]
            codes = list(dict.fromkeys(codes))
        reasons = [cat.reasons[(Action.COMPLETE, code)] for code in codes]
        lines = self._materials(brand_code, type_code, codes)
        recovered = 0
        at = closed_at.isoformat()
        for code, quantity, serial, is_recovered in lines:
            material = cat.materials[code]
            self.usages.append(f"{order_id}\t{material.id}\t{quantity}\t{serial}\t{'t' if is_recovered else 'f'}")
            # The crew's stock, as cuadrillas.actions.stock.record_closing moves it.
            if is_recovered:
                self.stock.append(f"{crew_id}\t{material.id}\trecovery\t{quantity}\t{serial}\t{order_id}\t{at}\t{by}\t")
                if material.is_receiver:
                    recovered += quantity
            else:
                self.stock.append(
                    f"{crew_id}\t{material.id}\tconsumption\t{-quantity}\t{serial}\t{order_id}\t{at}\t{by}\t"
                )
                if serial:
                    self.handed_serials[(crew_id, material.id)].append(serial)
                else:
                    self.handed[(crew_id, material.id)] += quantity
        self.written.materials += len(lines)
        closing_lat = address["latitude"] + rng.gauss(0, 0.0004)
        closing_lon = address["longitude"] + rng.gauss(0, 0.0004)
        if rng.random() < 0.04:  # closed far from the customer: the visit control flags it
            closing_lat += _choice(rng, (-1, 1)) * rng.uniform(0.01, 0.03)
            closing_lon += _choice(rng, (-1, 1)) * rng.uniform(0.01, 0.03)
        total = self._bill(order_id, info, type_code, brand_code, account, deadline, closed_at, recovered)
        return {
            "solution_code_1_id": reasons[0].id,
            "solution_code_2_id": reasons[1].id if len(reasons) > 1 else None,
            "solution_code_3_id": None,
            "solution_comments": CLOSING_COMMENTS[codes[0]],
            "closing_latitude": round(closing_lat, 6),
            "closing_longitude": round(closing_lon, 6),
            # The details ``actions.complete`` records, as JSON text.
            "event_data": (
                '{"solution_codes":['
                + ",".join(f'"{code}"' for code in codes)
                + '],"materials":['
                + ",".join(
                    f'{{"code":"{code}","quantity":"{quantity}","serial":"{serial}",'
                    f'"recovered":{"true" if is_recovered else "false"}}}'
                    for code, quantity, serial, is_recovered in lines
                )
                + f'],"billed":"{total}"}}'
            ),
        }

    def _materials(self, brand: str, type_code: str, codes: Sequence[str]) -> list[tuple[str, int, str, bool]]:
        """What the technician declares: within the closing policy's limits, serials for receivers
        and cards, only the brand's material, receivers recovered only on recovery orders."""
        rng = self.rng
        lines: list[tuple[str, int, str, bool]] = []

        def add(code: str, quantity: int = 1, serial: str = "", recovered: bool = False) -> None:
            lines.append((code, quantity, serial, recovered))

        def serial(prefix: str) -> str:
            return f"{prefix}{_randrange(rng, 10**10):010d}"

        satellite = brand in ("sky", "vetv")
        if type_code == "REC":
            if satellite and codes[0] in ("IRD_RECUP", "RECUP_PARCIAL"):
                for _ in range(_choice(rng, (1, 1, 1, 2))):
                    add(_choice(rng, ("IRD-SD", "IRD-HD")), serial=serial("R"), recovered=True)
            return lines
        if type_code in ("INS", "CDOM") or (type_code == "ADI" and satellite):
            if satellite and type_code != "CDOM":
                receiver = _choice(
                    rng, ("IRD-SD", "IRD-HD", "IRD-HD", "IRD-SKYPLUS") if brand == "sky" else ("IRD-SD", "IRD-HD")
                )
                add(receiver, serial=serial("R"))
                add("TARJETA", serial=serial("T"))
            if satellite and type_code != "ADI":
                add(_choice(rng, ("ANT-60", "ANT-60", "ANT-75")))
                add(_choice(rng, ("LNB-1", "LNB-1", "LNB-2")))
            add("RG6", _randint(rng, 8, 45) if "INST_EXTRA" not in codes else _randint(rng, 40, 60))
            add("CON-F", _randint(rng, 2, 8))
            if self.lean:
                return lines  # the benchmark set leaves out the small consumables
            add("GRAPAS", _randint(rng, 10, 50))
            if type_code != "ADI":
                add("TAQUETES", _randint(rng, 2, 10))
                add("PIJAS", _randint(rng, 2, 10))
            if rng.random() < 0.2:
                add("SPLIT-2")
            if satellite and type_code == "INS" and rng.random() < 0.3:
                add("CONTROL")
            return lines
        if "LNB" in codes and satellite:
            add(_choice(rng, ("LNB-1", "LNB-2")))
        if "CAMBIO_IRD" in codes and satellite:
            add(_choice(rng, ("IRD-SD", "IRD-HD")), serial=serial("R"))
        if "CABLE" in codes or type_code in ("REI", "ADI"):
            add("RG6", _randint(rng, 3, 25))
            add("CON-F", _randint(rng, 2, 6))
        if type_code == "REI" and rng.random() < 0.4:
            add("GRAPAS", _randint(rng, 5, 20))
        return lines

    def _bill(
        self,
        order_id: int,
        info: DistributorInfo,
        type_code: str,
        brand_code: str,
        account: Account,
        deadline: dt.datetime,
        closed_at: dt.datetime,
        recovered: int,
    ) -> Decimal:
        """The billing line, by facturacion.billing's rules (its km and lateness functions), with
        the rates read once instead of once per folio."""
        cat = self.catalogue
        st = cat.types[type_code]
        day = closed_at.astimezone(dt.UTC).date()
        rate = None
        for brand_key in (cat.brands[brand_code], None):
            rate = next((r for r in cat.rates.get((st.id, brand_key), []) if r.valid_from <= day), None)
            if rate is not None:
                break
        commission = Decimal("0")
        if rate is not None:
            commission = rate.amount + rate.per_recovered_receiver * recovered
        distributor = info.distributor
        address = account.address
        # What facturacion.billing reads of an order, without building a model instance per folio.
        folio = SimpleNamespace(
            distributor=distributor,
            distributor_id=distributor.id,
            service_type_id=st.id,
            brand_id=cat.brands[brand_code],
            postal_code=address["postal_code"],
            latitude=address["latitude"],
            longitude=address["longitude"],
            closed_at=closed_at,
            deadline=deadline,
        )
        if account.paid_km is None:  # it depends on the address only: once per account
            account.paid_km = paid_km(folio)
        km = account.paid_km
        mileage = (km * distributor.mileage_rate).quantize(CENT, ROUND_HALF_UP)
        late = days_late(folio)
        commission = commission.quantize(CENT)
        penalty = (commission * min(PENALTY_CAP, PENALTY_PER_DAY * late)).quantize(CENT, ROUND_HALF_UP)
        total = commission + mileage - penalty
        self.billing.append(
            f"{order_id}\t{distributor.id}\t{closed_at.isoformat()}\t{commission}\t{km}\t{mileage}\t{late}\t{penalty}\t{total}"
        )
        self.written.billing_lines += 1
        return total

    # Writing

    TABLES = (
        (Order, ORDER_FIELDS),
        (OrderEvent, EVENT_FIELDS),
        (MaterialUsage, USAGE_FIELDS),
        (BillingLine, BILLING_FIELDS),
        (VisitCheckIn, CHECK_IN_FIELDS),
        (StockMovement, STOCK_FIELDS),
    )

    def flush(self) -> None:
        """Hand what was built so far to the COPY thread: orders first, then the rows that point
        at them."""
        chunk = [self.orders, self.events, self.usages, self.billing, self.check_ins, self.stock]
        self.orders, self.events, self.usages, self.billing, self.check_ins, self.stock = [], [], [], [], [], []
        if self.pipe is None:
            self.pipe = CopyPipe([copy_statement(model, names) for model, names in self.TABLES])
        self.pipe.put(chunk)

    def hand_over_stock(self, at: dt.datetime) -> None:
        """The material the crews used, handed to them by their distributor at ``at`` (before any
        of it was used), with a margin: their balances stay positive, as in real life."""
        staff = {
            crew.id: info.staff_ids or [self.catalogue.back_office_id]
            for info in self.organisation
            for crew in info.crews
        }
        when = at.isoformat()
        for (crew_id, material_id), quantity in sorted(self.handed.items()):
            spare = max(5, quantity // 5)
            by = staff[crew_id][0]
            self.stock.append(
                f"{crew_id}\t{material_id}\tentry\t{quantity + spare}\t\t\\N\t{when}\t{by}\tEntrega inicial"
            )
        for (crew_id, material_id), serials in sorted(self.handed_serials.items()):
            by = staff[crew_id][0]
            spares = [f"S{crew_id:03d}{material_id:03d}{n:04d}" for n in range(2)]
            for serial in [*serials, *spares]:
                self.stock.append(f"{crew_id}\t{material_id}\tentry\t1\t{serial}\t\\N\t{when}\t{by}\tEntrega inicial")
        self.handed.clear()
        self.handed_serials.clear()

    def finish(self, *, stock_from: dt.datetime) -> None:
        self.hand_over_stock(stock_from)
        self.flush()
        if self.pipe is not None:
            self.pipe.close()

    def abandon(self) -> None:
        if self.pipe is not None:
            self.pipe.close(raise_error=False)


def copy_statement(model: type[models.Model], names: list[str]) -> tuple[str, str]:
    """The COPY statement for these columns, and the text to end each row with: the defaults of
    columns this generator does not fill (added to the model later). A column with no default
    stops the command with a clear message instead of a half-understood database error."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    extra_names: list[str] = []
    extra_values: list[str] = []
    for attname, model_field in fields.items():
        if attname in names or model_field.primary_key:
            continue
        if model_field.has_default():
            default = model_field.get_default()
            extra_names.append(attname)
            extra_values.append(_json(default) if isinstance(model_field, models.JSONField) else _text(default))
        elif model_field.db_default is not models.NOT_PROVIDED or model_field.null:
            continue
        else:
            raise RuntimeError(f"demo data does not know how to fill {model.__name__}.{attname}")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[name].column) for name in [*names, *extra_names])
    suffix = "".join(f"\t{value}" for value in extra_values)
    return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN", suffix


class CopyPipe:
    """COPY chunks of rows on the current transaction's connection from a second thread, so that
    the next chunk is built while PostgreSQL writes this one (two cores instead of one)."""

    def __init__(self, statements: list[tuple[str, str]]) -> None:
        connection.ensure_connection()
        self.raw = connection.connection  # the psycopg connection, inside Django's transaction
        self.statements = statements
        self.queue: queue.Queue[list[list[str]] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="demo-data-copy", daemon=True)
        self.thread.start()

    def put(self, chunk: list[list[str]]) -> None:
        if self.error is not None:
            self.close()
        self.queue.put(chunk)

    def close(self, *, raise_error: bool = True) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None and raise_error:
            error, self.error = self.error, None
            raise error

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain: the transaction is lost anyway
            try:
                with self.raw.cursor() as cursor:
                    for (statement, suffix), rows in zip(self.statements, chunk, strict=True):
                        if not rows:
                            continue
                        end = f"{suffix}\n"
                        with cursor.copy(statement) as copy:
                            for start in range(0, len(rows), 5000):
                                copy.write(end.join(rows[start : start + 5000]) + end)
            except BaseException as error:  # handed to the main thread by close()
                self.error = error


def _allocate_order_ids(count: int, *, block: bool = False) -> list[int] | range:
    """``count`` order ids from the table's sequence: one by one, or (``block``, when the table is
    locked against other inserts) as one range in a single statement."""
    with connection.cursor() as cursor:
        if block:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [Order._meta.db_table, Order._meta.db_table, count],
            )
            last = cursor.fetchone()[0]
            return range(last - count + 1, last + 1)
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Order._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


# --- the two entry points --------------------------------------------------------------------------------


def _shares(organisation: list[DistributorInfo]) -> dict[int, float]:
    """Weights for spreading folios over the distributors (index in ``organisation``: share)."""
    return {index: info.plan.share for index, info in enumerate(organisation)}


@transaction.atomic
def build_demo(
    *, password: str, folios: int = DEFAULT_FOLIOS, seed: int = DEFAULT_SEED, now: dt.datetime | None = None
) -> Written:
    """The demo set: organisation, users (all with ``password``) and ``folios`` folios. Does
    nothing if it exists."""
    if demo_exists():
        return Written()
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    now = now or timezone.now()
    ensure_catalogue()
    build_organisation(rng, password=password)
    organisation = load_organisation()
    writer = FolioWriter(rng, now, load_catalogue(), organisation, CrewLoad())
    ids = _allocate_order_ids(folios)
    shares = _shares(organisation)
    try:
        for n, order_id in enumerate(ids):
            info = organisation[_pick(rng, shares)]
            writer.add(order_id, str(BASE_FOLIO + n + 1), info, _pick(rng, BASE_STATUS_WEIGHTS), history_days=30)
        writer.finish(stock_from=now - dt.timedelta(days=31))
    except BaseException:
        writer.abandon()
        raise
    _technician_requests(rng, now, organisation, writer.catalogue)
    return writer.written


def _technician_requests(
    rng: random.Random, now: dt.datetime, organisation: list[DistributorInfo], catalogue: Catalogue
) -> None:
    """A few pending requests from technicians on their crews' open folios, for the dispatchers'
    inbox: reschedules (with a reason and a proposed day) and a duplicate."""
    reasons = [catalogue.reasons[(Action.RESCHEDULE, code)] for code in ("AUSENTE", "OTRA_FECHA", "CLIMA", "AZOTEA")]
    technicians = {user_id: crew.id for info in organisation for crew in info.crews for user_id in crew.technician_ids}
    by_crew: dict[int, list[int]] = defaultdict(list)
    for user_id, crew_id in technicians.items():
        by_crew[crew_id].append(user_id)
    requests = []
    for info in organisation:
        today = now.astimezone(info.zone).date()
        folios = list(
            Order.objects.filter(distributor=info.distributor, status__in=(S.ASSIGNED, S.IN_PROGRESS))
            .order_by("folio")
            .values_list("pk", "folio", "crew_id", "assigned_at")
        )
        others = list(
            Order.objects.filter(distributor=info.distributor, status=S.NEW).order_by("folio").values_list("folio")
        )
        for n, (pk, _folio, crew_id, assigned_at) in enumerate(rng.sample(folios, min(4, len(folios)))):
            if not by_crew[crew_id]:
                continue
            requested_at = assigned_at + (now - assigned_at) * rng.uniform(0.2, 0.9)
            common = {"order_id": pk, "requested_by_id": _choice(rng, by_crew[crew_id]), "requested_at": requested_at}
            if n == 0 and others:
                requests.append(
                    TechnicianRequest(
                        kind=TechnicianRequest.Kind.DUPLICATE,
                        other_folio=_choice(rng, others)[0],
                        note="El cliente dice que ya lo visitaron por otro folio.",
                        **common,
                    )
                )
            else:
                requests.append(
                    TechnicianRequest(
                        kind=TechnicianRequest.Kind.RESCHEDULE,
                        reason=_choice(rng, reasons),
                        proposed_date=today + dt.timedelta(days=_randint(rng, 1, 3)),
                        proposed_window=_choice(rng, WINDOW_CODES),
                        note="El cliente pidió venir otro día.",
                        **common,
                    )
                )
    TechnicianRequest.objects.bulk_create(requests)


SCALE_CHUNK = 5_000  # folios per piece of work handed to a generating process


@dataclass
class ScaleJob:
    """What every generating process needs, set before they are forked (nothing is pickled)."""

    organisation: list[DistributorInfo]
    catalogue: Catalogue
    now: dt.datetime
    seed: int
    count: int
    first_id: int
    first_folio: int
    statements: list[tuple[str, str]]


@dataclass
class Piece:
    """The rows of one piece of folios, as COPY text per table, and what they handed out."""

    blobs: list[bytes]
    written: Written
    handed: dict[tuple[int, int], int]
    handed_serials: dict[tuple[int, int], list[str]]


_SCALE_JOB: ScaleJob | None = None


def _take_piece(writer: FolioWriter, statements: list[tuple[str, str]]) -> Piece:
    tables = [writer.orders, writer.events, writer.usages, writer.billing, writer.check_ins, writer.stock]
    blobs = [
        ("".join(f"{row}{suffix}\n" for row in rows) if suffix else "\n".join(rows) + "\n").encode() if rows else b""
        for (_statement, suffix), rows in zip(statements, tables, strict=True)
    ]
    piece = Piece(blobs, writer.written, dict(writer.handed), {k: list(v) for k, v in writer.handed_serials.items()})
    writer.orders, writer.events, writer.usages, writer.billing, writer.check_ins, writer.stock = [], [], [], [], [], []
    writer.written = Written()
    writer.handed.clear()
    writer.handed_serials.clear()
    return piece


def _closed_piece(task: tuple[int, int, int]) -> Piece:
    """One piece of closed folios, built in a forked process from its own seeded generator."""
    number, start, size = task
    job = _SCALE_JOB
    rng = random.Random(f"{job.seed}:{job.count}:{number}")  # noqa: S311 - demo data, not secrets
    writer = FolioWriter(rng, job.now, job.catalogue, job.organisation, CrewLoad(), lean=True)
    shares = _shares(job.organisation)
    for n in range(start, start + size):
        info = job.organisation[_pick(rng, shares)]
        writer.add(job.first_id + n, str(job.first_folio + n), info, _pick(rng, SCALE_CLOSED_WEIGHTS), history_days=90)
    return _take_piece(writer, job.statements)


def _copy_piece(raw_connection: Any, statements: list[tuple[str, str]], piece: Piece) -> None:
    with raw_connection.cursor() as cursor:
        for (statement, _suffix), blob in zip(statements, piece.blobs, strict=True):
            if blob:
                with cursor.copy(statement) as copy:
                    copy.write(blob)


@transaction.atomic
def add_orders(
    count: int, *, seed: int = DEFAULT_SEED, now: dt.datetime | None = None, processes: int | None = None
) -> Written:
    """``count`` more folios for benchmarks: a tenth of them (up to 20,000) open on the first
    distributor's board, the rest closed over the last 90 days across every distributor.

    Speed: the closed folios are built by forked processes (one per core), piece by piece, each
    from its own seeded generator, while this process builds the open ones (they share the
    crews' capacity) and COPYs every piece in order, so PostgreSQL writes while the next pieces
    are built. The foreign keys of the tables written are dropped for the load and added back
    before the transaction ends, which checks every row at once (PostgreSQL's advice for bulk
    loads: one join instead of a lookup per row); a row that breaks one aborts the whole load.
    (Dropping the other indexes too was measured: building them again afterwards took longer
    than it saved.) The tables are locked meanwhile: run it on a benchmark database, not under
    live traffic.
    """
    global _SCALE_JOB
    now = now or timezone.now()
    organisation = load_organisation()
    if not organisation:
        raise RuntimeError("build the demo set first")
    bench = next(info for info in organisation if info.plan.code == BENCH_DISTRIBUTOR)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT max(folio) FROM {connection.ops.quote_name(Order._meta.db_table)} "  # noqa: S608
            "WHERE folio LIKE %s AND length(folio) = 9",
            [f"{str(SCALE_FOLIO)[0]}%"],
        )
        latest = cursor.fetchone()[0]
    first_folio = int(latest) + 1 if latest else SCALE_FOLIO + 1
    catalogue = load_catalogue()
    load = CrewLoad.from_database(crew.id for info in organisation for crew in info.crews)
    statements = [copy_statement(model, names) for model, names in FolioWriter.TABLES]
    # Dropping the foreign keys locks the tables: nothing else inserts orders until the commit,
    # so the order ids can be taken from the sequence as one block.
    foreign_keys = _drop_foreign_keys([model for model, _ in FolioWriter.TABLES])
    ids = _allocate_order_ids(count, block=True)
    open_count = min(20_000, count // 10)
    tasks = [
        (number, start, min(SCALE_CHUNK, count - start))
        for number, start in enumerate(range(open_count, count, SCALE_CHUNK))
    ]
    _SCALE_JOB = ScaleJob(organisation, catalogue, now, seed, count, ids.start, first_folio, statements)
    connection.ensure_connection()
    raw = connection.connection
    # The open folios here, meanwhile: they need the crews' capacity, which all of them share.
    rng = random.Random(f"{seed}:{count}:open")  # noqa: S311 - demo data, not secrets
    writer = FolioWriter(rng, now, catalogue, organisation, load, lean=True)
    written = Written()
    handed: dict[tuple[int, int], int] = defaultdict(int)
    handed_serials: dict[tuple[int, int], list[str]] = defaultdict(list)

    def copy(piece: Piece) -> None:
        _copy_piece(raw, statements, piece)
        written.orders += piece.written.orders
        written.events += piece.written.events
        written.materials += piece.written.materials
        written.billing_lines += piece.written.billing_lines
        for status, n in piece.written.by_status.items():
            written.by_status[status] += n
        for key, quantity in piece.handed.items():
            handed[key] += quantity
        for key, serials in piece.handed_serials.items():
            handed_serials[key] += serials

    processes = processes or max(1, min(len(tasks), os.cpu_count() or 1))
    # Forked before anything else runs on the side: the children only compute and never touch
    # the database connection they inherit (they leave through os._exit).
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pieces = pool.imap(_closed_piece, tasks)
        for n in range(open_count):
            writer.add(ids[n], str(first_folio + n), bench, _pick(rng, SCALE_OPEN_WEIGHTS), history_days=90)
            if len(writer.orders) >= SCALE_CHUNK:
                copy(_take_piece(writer, statements))
        copy(_take_piece(writer, statements))
        for piece in pieces:
            copy(piece)
    _SCALE_JOB = None
    writer.handed.update(handed)
    writer.handed_serials.update(handed_serials)
    writer.hand_over_stock(now - dt.timedelta(days=91))
    copy(_take_piece(writer, statements))
    with connection.cursor() as cursor:
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        # Fresh statistics for the tables the boards and dashboards read, so the first queries
        # after the load are planned for its size; autovacuum analyses the rest soon after.
        for model in (Order, OrderEvent):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return written


def _drop_foreign_keys(tables: list[type[models.Model]]) -> list[tuple[str, str, str]]:
    """Drop the foreign keys of these tables; return (table, name, definition) to add them back."""
    with connection.cursor() as cursor:
        # Check what earlier statements of this transaction left deferred: a table with pending
        # checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [[model._meta.db_table for model in tables]],
        )
        foreign_keys = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    return foreign_keys


__all__ = [
    "BENCH_DISTRIBUTOR",
    "CITIES",
    "Written",
    "add_orders",
    "build_demo",
    "demo_exists",
    "demo_logins",
]
