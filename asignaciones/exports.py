"""The filtered board as CSV (streamed) and XLSX: the 'macro' of open services."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from asignaciones.board import BoardQuery, humanize_time_left
from asignaciones.models import Order
from asignaciones.sla import LIGHT_LABELS

CHUNK = 2000


def columns() -> list[str]:
    return [
        _("Folio"),
        _("Status"),
        _("Traffic light"),
        _("Time left"),
        _("Order type"),
        _("Brand"),
        _("Priority"),
        _("Customer"),
        _("Phone"),
        _("Account"),
        _("Street"),
        _("Number"),
        _("Between streets"),
        _("Colonia"),
        _("Municipality"),
        _("City"),
        _("State"),
        _("Postal code"),
        _("Latitude"),
        _("Longitude"),
        _("Crew"),
        _("Appointment"),
        _("Window"),
        _("Deadline"),
        _("Received"),
        _("Distributor"),
    ]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    # Spreadsheets have no time zones: write the portal's local wall-clock time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def row(order: Order) -> list[Any]:
    number = order.exterior_number + (f" int. {order.interior_number}" if order.interior_number else "")
    return [
        order.folio,
        order.get_status_display(),
        str(LIGHT_LABELS.get(order.light, "")),
        humanize_time_left(order.time_left, order.light),
        order.service_type.code,
        order.brand.name,
        order.priority,
        order.customer_name,
        order.customer_phone,
        order.account_number,
        order.street,
        number,
        order.between_streets,
        order.neighborhood,
        order.municipality,
        order.city,
        order.state,
        order.postal_code,
        float(order.latitude),
        float(order.longitude),
        order.crew.code if order.crew else "",
        order.appointment_date,
        order.get_appointment_window_display() if order.appointment_window else "",
        _local(order.deadline),
        _local(order.routed_at),
        order.distributor.name,
    ]


def filename(query: BoardQuery, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"folios-{query.tab}-{stamp}.{extension}"


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(orders: QuerySet[Order]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # the BOM makes Excel read the file as UTF-8 (accents in names)
    yield writer.writerow(columns())
    for order in orders.iterator(chunk_size=CHUNK):
        values = row(order)
        yield writer.writerow([v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else v for v in values])


def csv_response(orders: QuerySet[Order], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(orders), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(orders: QuerySet[Order], *, filename: str) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Folios"))
    sheet.append(columns())
    for order in orders.iterator(chunk_size=CHUNK):
        sheet.append(row(order))
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response
