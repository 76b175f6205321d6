"""Charts drawn on the server as inline SVG: no JavaScript, no library, nothing from outside.

Horizontal positions are percentages of the chart's width, so a chart fills a phone or a desktop
without scaling its text; every bar carries its count as text and a ``<title>`` with its label, so
a chart is readable without telling colours apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from asignaciones.sla import LIGHT_LABELS, Light
from heat.dashboard import ClosingDay, LightCounts

# The same colours as the .light-* dots of heat.css.
FILL = {
    Light.GREEN: "#198754",
    Light.YELLOW: "#ffc107",
    Light.RED: "#dc3545",
    Light.ON_TIME: "#198754",
    Light.LATE: "#dc3545",
}
# Text on a fill: dark on yellow, white on the others.
INK = {Light.YELLOW: "#212529"}
# Red also gets a hatch, so it differs from green in shape as well as colour.
HATCHED = {Light.RED, Light.LATE}
BAR_HEIGHT = 24
MIN_LABELLED_SHARE = 7.0  # % of the width below which a segment is too narrow for its count


def _pct(value: float) -> str:
    return f"{value:.3f}%"


def _px(value: float) -> str:
    return f"{value:.2f}"


def stacked_bar(row: LightCounts, scale: int) -> SafeString:
    """One row's open orders as a bar of green, yellow and red segments; ``scale`` is the largest
    row's total, so rows compare by length."""
    parts = []
    x = 0.0
    for light, n in row.segments():
        if not n:
            continue
        width = 100.0 * n / max(scale, 1)
        title = f"{row.label} · {LIGHT_LABELS[light]}: {n}"
        parts.append(
            format_html(
                '<rect x="{}" y="0" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                _pct(x),
                _pct(width),
                BAR_HEIGHT,
                FILL[light],
                title,
            )
        )
        if light in HATCHED:
            parts.append(
                format_html(
                    '<rect x="{}" y="0" width="{}" height="{}" fill="url(#heat-hatch)" aria-hidden="true"></rect>',
                    _pct(x),
                    _pct(width),
                    BAR_HEIGHT,
                )
            )
        if width >= MIN_LABELLED_SHARE:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" class="chart-count" fill="{}">{}</text>',
                    _pct(x + width / 2),
                    BAR_HEIGHT / 2 + 4,
                    INK.get(light, "#fff"),
                    n,
                )
            )
        x += width
    summary = ", ".join(f"{LIGHT_LABELS[light]}: {n}" for light, n in row.segments())
    return format_html(
        '<svg class="chart-bar" width="100%" height="{}" role="img" aria-label="{}">{}</svg>',
        BAR_HEIGHT,
        f"{row.label} · {summary}",
        mark_safe("".join(parts)),  # noqa: S308 - every part was built by format_html
    )


def hatch_defs() -> SafeString:
    """The hatch pattern the bars refer to, defined once per page."""
    return mark_safe(
        '<svg width="0" height="0" class="position-absolute" aria-hidden="true" focusable="false"><defs>'
        '<pattern id="heat-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="2" height="6" fill="rgba(0,0,0,.28)"></rect></pattern></defs></svg>'
    )


def closings_chart(days: Sequence[ClosingDay]) -> SafeString:
    """The last days' closings: a column per day, on time at the bottom and late on top, the
    day's total above it and the day of the month below."""
    top, plot, bottom = 16, 120, 34
    height = top + plot + bottom
    scale = max((d.total for d in days), default=0) or 1
    slot = 100.0 / max(len(days), 1)
    bar = slot * 0.64
    parts = []
    for i, day in enumerate(days):
        x = slot * i + (slot - bar) / 2
        centre = _pct(slot * i + slot / 2)
        y = top + plot
        for light, n in ((Light.ON_TIME, day.on_time), (Light.LATE, day.late)):
            if not n:
                continue
            h = plot * n / scale
            y -= h
            title = f"{date_format(day.day, 'SHORT_DATE_FORMAT')} · {LIGHT_LABELS[light]}: {n}"
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                    _pct(x),
                    _px(y),
                    _pct(bar),
                    _px(h),
                    FILL[light],
                    title,
                )
            )
            if light in HATCHED:
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#heat-hatch)" aria-hidden="true"></rect>',
                        _pct(x),
                        _px(y),
                        _pct(bar),
                        _px(h),
                    )
                )
        label = f"{day.late}/{day.total}" if day.late else f"{day.total}"
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-count" fill="#212529">{}</text>',
                centre,
                _px(y - 4),
                label if day.total else "",
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-axis" fill="#6c757d">{}</text>',
                centre,
                top + plot + 14,
                date_format(day.day, "j"),
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-axis chart-weekday" fill="#6c757d">{}</text>',
                centre,
                top + plot + 28,
                date_format(day.day, "D")[:2],
            )
        )
    parts.append(
        format_html(
            '<line x1="0" x2="100%" y1="{}" y2="{}" stroke="#adb5bd" stroke-width="1"></line>',
            top + plot + 0.5,
            top + plot + 0.5,
        )
    )
    total_on_time = sum(d.on_time for d in days)
    total_late = sum(d.late for d in days)
    label = _("Closings of the last %(days)s days: %(on_time)s on time, %(late)s late") % {
        "days": len(days),
        "on_time": total_on_time,
        "late": total_late,
    }
    return format_html(
        '<svg class="chart-columns" width="100%" height="{}" role="img" aria-label="{}">{}</svg>',
        height,
        label,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
