"""The company's starting catalogue (DOMAIN.md): brands, order types, reasons, materials,
policies and commission rates. Idempotent: rows that exist are left as the back office edited them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from asignaciones.models import Action, Brand, Material, Policy, Reason, ServiceType

BRANDS = [("sky", "SKY"), ("vetv", "VeTV"), ("blue", "Blue Telecomm")]

# code, name, SLA hours, warning hours, recovers equipment, commission MXN, per receiver
SERVICE_TYPES = [
    ("INS", "Instalación nueva", 72, 12, False, "450", "0"),
    ("REP", "Reparación (servicio)", 48, 8, False, "300", "0"),
    ("CDOM", "Cambio de domicilio", 120, 24, False, "400", "0"),
    ("REI", "Reinstalación", 72, 12, False, "350", "0"),
    ("GAR", "Garantía", 48, 8, False, "0", "0"),
    ("ADI", "Equipo adicional", 72, 12, False, "250", "0"),
    ("UNI", "Unificación de cuentas", 72, 12, False, "200", "0"),
    ("REC", "Recuperación de equipo / cancelación", 240, 24, True, "150", "100"),
]

REASONS = {
    Action.RESCHEDULE: [
        ("AUSENTE", "Cliente ausente"),
        ("OTRA_FECHA", "Cliente solicita otra fecha"),
        ("CLIMA", "Lluvia / clima"),
        ("MATERIAL", "Falta de material"),
        ("AZOTEA", "Sin acceso a azotea"),
        ("TITULAR", "Falta titular o identificación"),
    ],
    Action.REJECT: [
        ("DOMICILIO", "Domicilio incorrecto o no localizado"),
        ("LINEA_VISTA", "Sin línea de vista"),
        ("RIESGO", "Zona de riesgo"),
        ("COBERTURA", "Fuera de cobertura"),
        ("NO_RECONOCE", "Cliente no reconoce la solicitud"),
        ("ESTRUCTURA", "Estructura no apta"),
        ("DESASTRE", "Desastre natural"),
    ],
    Action.CANCEL: [
        ("RESUELTO", "Resuelto por atención a clientes"),
        ("DUPLICADA", "Duplicada"),
        ("CLIENTE", "Cliente cancela"),
        ("IMPOSIBLE", "Imposible de realizar"),
    ],
    Action.CHANGE_TYPE: [
        ("MAL_TIPO", "Se envió con un tipo equivocado"),
        ("REQUIERE_INS", "Requiere instalación en lugar de reparación"),
        ("SOLICITUD", "El cliente cambió su solicitud"),
    ],
    Action.COMPLETE: [
        ("INST_OK", "Instalado OK"),
        ("INST_EXTRA", "Instalado con material extra"),
        ("REORIENTA", "Reorientación de antena"),
        ("LNB", "Cambio de LNB"),
        ("CABLE", "Cambio de cable/conectores"),
        ("CAMBIO_IRD", "Cambio de IRD"),
        ("REFRESH", "Refresh de señal"),
        ("TV_CLIENTE", "Falla del televisor del cliente"),
        ("IRD_RECUP", "IRD recuperado"),
        ("RECUP_PARCIAL", "Recuperado parcial"),
        ("PAGO_EQUIPO", "Cliente pagó equipo"),
        ("NO_LOCALIZADO", "Equipo no localizado"),
    ],
}

# code, description, unit, serialised, is receiver, brands (None: all)
MATERIALS = [
    ("IRD-SD", "IRD SD", "pieza", True, True, ("sky", "vetv")),
    ("IRD-HD", "IRD HD", "pieza", True, True, ("sky", "vetv")),
    ("IRD-SKYPLUS", "SKY+ HD", "pieza", True, True, ("sky",)),
    ("TARJETA", "Tarjeta inteligente", "pieza", True, False, ("sky", "vetv")),
    ("CONTROL", "Control remoto", "pieza", False, False, ("sky", "vetv")),
    ("ANT-60", "Antena 60 cm", "pieza", False, False, ("sky", "vetv")),
    ("ANT-75", "Antena 75 cm", "pieza", False, False, ("sky", "vetv")),
    ("ANT-90", "Antena 90 cm", "pieza", False, False, ("sky", "vetv")),
    ("LNB-1", "LNB sencillo", "pieza", False, False, ("sky", "vetv")),
    ("LNB-2", "LNB dual", "pieza", False, False, ("sky", "vetv")),
    ("RG6", "Cable RG6", "metro", False, False, None),
    ("CON-F", "Conector F de compresión", "pieza", False, False, None),
    ("SPLIT-2", "Splitter 2 vías", "pieza", False, False, None),
    ("SPLIT-4", "Splitter 4 vías", "pieza", False, False, None),
    ("MSW-3X4", "Multiswitch 3x4", "pieza", False, False, ("sky", "vetv")),
    ("MSW-5X8", "Multiswitch 5x8", "pieza", False, False, ("sky", "vetv")),
    ("GRAPAS", "Grapas", "pieza", False, False, None),
    ("TAQUETES", "Taquetes", "pieza", False, False, None),
    ("PIJAS", "Pijas", "pieza", False, False, None),
    ("CINTA", "Cinta vulcanizable", "pieza", False, False, None),
    ("MASTIL", "Mástil", "pieza", False, False, None),
    ("TIERRA", "Kit de tierra física", "pieza", False, False, None),
    ("HDMI", "Cable HDMI", "pieza", False, False, None),
    ("RCA", "Cable RCA", "pieza", False, False, None),
]

MATERIAL_LIMITS = {"RG6": 60, "CON-F": 12, "GRAPAS": 100, "TAQUETES": 20, "PIJAS": 20, "ANT-60": 1, "ANT-75": 1}

# action, title, rule values, requires acknowledgement
POLICIES = [
    (
        Action.ASSIGN,
        "Política de asignación de folios",
        {},
        False,
    ),
    (
        Action.RESCHEDULE,
        "Política de reagendado de visitas",
        {"max_reschedules": 3, "max_days_ahead": 7},
        True,
    ),
    (Action.REJECT, "Política de rechazo de folios", {"window_hours": 24}, True),
    (Action.CANCEL, "Política de cancelación de folios", {}, True),
    (Action.CHANGE_TYPE, "Política de cambio de tipo de orden", {}, True),
    (
        Action.COMPLETE,
        "Política de cierre de órdenes y declaración de material",
        {"material_limits": MATERIAL_LIMITS},
        False,
    ),
]


# Policies of one order type whose rules differ from the general one.
# action, type code, title, rule values, requires acknowledgement
TYPE_POLICIES = [
    (
        Action.COMPLETE,
        "REC",
        "Política de cierre de recuperaciones de equipo",
        # A recovery installs nothing: no antennas, only what re-terminating a cable needs.
        {"material_limits": {**MATERIAL_LIMITS, "ANT-60": 0, "ANT-75": 0, "ANT-90": 0}},
        False,
    ),
]


@transaction.atomic
def ensure_catalogue() -> None:
    from facturacion.models import CommissionRate

    brands = {}
    for code, name in BRANDS:
        brands[code], _ = Brand.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, sla, warning, recovers, amount, per_receiver in SERVICE_TYPES:
        service_type, _ = ServiceType.objects.get_or_create(
            code=code,
            defaults={"name": name, "sla_hours": sla, "warning_hours": warning, "recovers_equipment": recovers},
        )
        CommissionRate.objects.get_or_create(
            service_type=service_type,
            brand=None,
            valid_from=dt.date(2026, 1, 1),
            defaults={"amount": Decimal(amount), "per_recovered_receiver": Decimal(per_receiver)},
        )
    for action, reasons in REASONS.items():
        for code, label in reasons:
            Reason.objects.get_or_create(
                action=action,
                code=code,
                defaults={"label": label, "needs_other_folio": code == "DUPLICADA"},
            )
    for code, description, unit, serialized, is_receiver, brand_codes in MATERIALS:
        material, created = Material.objects.get_or_create(
            code=code,
            defaults={"description": description, "unit": unit, "serialized": serialized, "is_receiver": is_receiver},
        )
        if created:
            material.brands.set([brands[c] for c in (brand_codes or brands)])
    since = timezone.make_aware(dt.datetime(2026, 1, 1))
    for action, title, rules, acknowledgement in POLICIES:
        Policy.objects.get_or_create(
            action=action,
            service_type=None,
            version=1,
            defaults={
                "title": title,
                "rules": rules,
                "requires_acknowledgement": acknowledgement,
                "effective_from": since,
            },
        )
    for action, type_code, title, rules, acknowledgement in TYPE_POLICIES:
        Policy.objects.get_or_create(
            action=action,
            service_type=ServiceType.objects.get(code=type_code),
            version=1,
            defaults={
                "title": title,
                "rules": rules,
                "requires_acknowledgement": acknowledgement,
                "effective_from": since,
            },
        )
