"""PDFs rendered with WeasyPrint: the service order (ODR) a crew takes to the customer, and the
policies' file names in policies/."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from asignaciones.models import Order, ServiceType
from asignaciones.sla import LIGHT_LABELS

# What a crew should load in the van for each order type: (material, quantity). A packing
# list for the print only; what was really used is declared when the visit is closed.
MATERIALS_TO_BRING: dict[str, list[tuple[str, str]]] = {
    "INS": [
        ("Antena 60 cm o 75 cm", "1"),
        ("LNB sencillo o dual", "1"),
        ("IRD (decodificador) y tarjeta inteligente", "1"),
        ("Cable RG6", "30 m"),
        ("Conectores F de compresión", "6"),
        ("Mástil y taquetes, pijas, grapas", "1 juego"),
        ("Control remoto", "1"),
    ],
    "REP": [
        ("LNB de repuesto", "1"),
        ("Cable RG6", "15 m"),
        ("Conectores F de compresión", "4"),
        ("IRD de reemplazo", "1"),
    ],
    "CDOM": [
        ("Cable RG6", "30 m"),
        ("Conectores F de compresión", "6"),
        ("Mástil y taquetes, pijas, grapas", "1 juego"),
    ],
    "REI": [
        ("LNB sencillo", "1"),
        ("Cable RG6", "20 m"),
        ("Conectores F de compresión", "4"),
    ],
    "GAR": [
        ("IRD de reemplazo", "1"),
        ("LNB de repuesto", "1"),
        ("Conectores F de compresión", "4"),
    ],
    "ADI": [
        ("IRD adicional y tarjeta inteligente", "1"),
        ("Splitter 2 o 4 vías / multiswitch", "1"),
        ("Cable RG6", "20 m"),
        ("Conectores F de compresión", "4"),
    ],
    "UNI": [
        ("Tarjeta inteligente", "1"),
        ("Conectores F de compresión", "2"),
    ],
    "REC": [
        ("Bolsa de recuperación y etiquetas", "1"),
        ("Formato de recuperación de equipo", "1"),
    ],
}


def materials_to_bring(service_type: ServiceType) -> list[tuple[str, str]]:
    return MATERIALS_TO_BRING.get(service_type.code, [("Herramienta básica", "1")])


def service_order_html(order: Order) -> str:
    context = {
        "order": order,
        "light_label": LIGHT_LABELS.get(getattr(order, "light", ""), ""),
        "materials": materials_to_bring(order.service_type),
        "printed_at": timezone.localtime(),
        "zone_deadline": order.deadline.astimezone(order.distributor.zone),
    }
    return render_to_string("asignaciones/odr.html", context)


def service_order_pdf(order: Order) -> bytes:
    from weasyprint import HTML

    return HTML(string=service_order_html(order)).write_pdf()


def policy_file_name(action: str, service_type_code: str | None = None) -> str:
    """policies/<action>.pdf, or policies/<action>-<TYPE>.pdf for a type's own policy."""
    return f"{action}-{service_type_code}.pdf" if service_type_code else f"{action}.pdf"


def built_policy_path(directory: Path, action: str, service_type: ServiceType | None) -> Path | None:
    """The PDF built by ``build_policies`` for this action (and type, falling back to the
    general one), or None."""
    candidates = [policy_file_name(action, service_type.code)] if service_type else []
    candidates.append(policy_file_name(action))
    for name in candidates:
        path = Path(directory) / name
        if path.is_file():
            return path
    return None
