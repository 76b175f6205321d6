"""Forms of the crews pages. ``ModelForm.save`` is never used: the actions write."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asignaciones.models import Brand, ServiceType
from cuadrillas.models import Crew, Technician


class CrewForm(forms.ModelForm):
    brands = forms.ModelMultipleChoiceField(
        label=_("Brands served"), queryset=Brand.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    service_types = forms.ModelMultipleChoiceField(
        label=_("Order types served"),
        queryset=ServiceType.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Crew
        fields = [
            "code",
            "name",
            "base_latitude",
            "base_longitude",
            "brands",
            "service_types",
            "daily_capacity",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def action_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TechnicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Technician) -> str:
        return str(obj)


class MoveTechnicianForm(forms.Form):
    technician = TechnicianChoiceField(label=_("Technician"), queryset=Technician.objects.none())
    crew = forms.ModelChoiceField(label=_("Move to crew"), queryset=Crew.objects.none())

    def __init__(self, *args: Any, technicians: QuerySet[Technician], crews: QuerySet[Crew], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians
        self.fields["crew"].queryset = crews
