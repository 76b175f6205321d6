from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DAYS = 366


class PeriodForm(forms.Form):
    """The statement's period, in whole local days."""

    first = forms.DateField(label=_("From"), widget=DATE_INPUT)
    last = forms.DateField(label=_("To"), widget=DATE_INPUT)

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The period must start before it ends."))
            if (last - first).days >= MAX_DAYS:
                raise forms.ValidationError(_("Choose a period of one year at most."))
        return data


def default_period(today: dt.date) -> dict[str, dt.date]:
    """This month so far."""
    return {"first": today.replace(day=1), "last": today}
