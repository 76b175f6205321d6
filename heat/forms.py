"""Forms of the Distributor page. The action writes; these only parse."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from heat.actions import ContactLine
from heat.models import ContactPerson, Distributor


class DistributorForm(forms.ModelForm):
    class Meta:
        model = Distributor
        fields = ["phone", "email", "address", "coverage_postal_codes", "coverage_radius_km"]
        help_texts = {"coverage_postal_codes": _("Five-digit postal codes separated by commas.")}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


ContactFormSet = inlineformset_factory(
    Distributor, ContactPerson, fields=["name", "position", "phone", "email"], extra=1, can_delete=True
)


def contact_lines(formset: Any) -> list[ContactLine]:
    lines = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data:
            continue
        instance = data.get("id")
        lines.append(
            ContactLine(
                pk=instance.pk if instance else None,
                name=data.get("name", ""),
                position=data.get("position", ""),
                phone=data.get("phone", ""),
                email=data.get("email", ""),
                delete=bool(data.get("DELETE")),
            )
        )
    return lines
