"""Forms of the materials pages: a handover to or from a crew, and the report's period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from asignaciones.models import Material
from cuadrillas.models import Crew, StockMovement


class HandoverForm(forms.Form):
    crew = forms.ModelChoiceField(queryset=Crew.objects.none(), label=_("Crew"))
    kind = forms.ChoiceField(
        label=_("Movement"),
        choices=[
            (StockMovement.Kind.ENTRY, _("Hand to the crew")),
            (StockMovement.Kind.RETURN, _("Crew returns to the warehouse")),
        ],
    )
    material = forms.ModelChoiceField(
        queryset=Material.objects.filter(active=True).order_by("code"), label=_("Material")
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=8,
        decimal_places=2,
        min_value=0.01,
        required=False,
        help_text=_("For material without serial numbers."),
    )
    serials = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Receivers and smart cards: one serial number per line."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, crews: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crew"].queryset = crews

    @property
    def serial_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("serials", "").splitlines() if line.strip()]


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    crew = forms.ModelChoiceField(queryset=Crew.objects.none(), label=_("Crew"), required=False, empty_label=_("All"))

    def __init__(self, *args: Any, crews: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crew"].queryset = crews

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if end - start > dt.timedelta(days=366):
                raise forms.ValidationError(_("Choose a period of one year at most."))
        return data
