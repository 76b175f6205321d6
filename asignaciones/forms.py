"""Forms of the distributor's board and of the order actions. Bad input is a field error here;
a broken business rule is the action's ``OrderActionError``, which the view shows on the form."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asignaciones.board import DEFAULT_SORT, DEFAULT_TAB, PAGE_SIZES, SORT_KEYS, TABS, BoardQuery
from asignaciones.models import Action, Brand, Order, Policy, Reason, ServiceType
from asignaciones.sla import LIGHT_LABELS, Light
from cuadrillas.models import Crew

SORT_CHOICES = [(key, key) for key in SORT_KEYS] + [(f"-{key}", f"-{key}") for key in SORT_KEYS]


class BoardFilterForm(forms.Form):
    """The board's filters, read from the query string so every view can be bookmarked."""

    tab = forms.ChoiceField(choices=[(k, v[0]) for k, v in TABS.items()], required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.MultipleChoiceField(label=_("Status"), choices=Order.Status.choices, required=False)
    type = forms.ModelMultipleChoiceField(label=_("Order type"), queryset=ServiceType.objects.none(), required=False)
    brand = forms.ModelMultipleChoiceField(label=_("Brand"), queryset=Brand.objects.none(), required=False)
    crew = forms.CharField(label=_("Crew"), required=False)
    light = forms.MultipleChoiceField(label=_("Traffic light"), choices=[], required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", "—"), *Order.Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    date_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Colonia or postal code"), required=False, max_length=120)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)
    per_page = forms.TypedChoiceField(
        label=_("Per page"), choices=[(n, n) for n in PAGE_SIZES], coerce=int, required=False, empty_value=25
    )

    def __init__(self, data: Any, *, crews: QuerySet[Crew], brands: QuerySet[Brand], types: QuerySet[ServiceType]):
        super().__init__(data)
        self.fields["type"].queryset = types
        self.fields["brand"].queryset = brands
        self.crews = list(crews)
        self.fields["crew"].widget = forms.Select(
            choices=[("", _("All crews")), ("none", _("Without crew"))] + [(str(c.pk), c.code) for c in self.crews]
        )
        tab = self.data.get("tab") if self.data.get("tab") in TABS else DEFAULT_TAB
        self.tab = tab
        self.fields["status"].choices = [
            (value, label) for value, label in Order.Status.choices if value in TABS[tab][1]
        ]
        lights = (
            (Light.GREEN, Light.YELLOW, Light.RED) if tab != "closed" else (Light.ON_TIME, Light.LATE, Light.CLOSED)
        )
        self.fields["light"].choices = [(light.value, LIGHT_LABELS[light]) for light in lights]

    def board_query(self) -> BoardQuery:
        """The parsed filters; invalid values are dropped rather than failing the whole page."""
        self.is_valid()  # fills cleaned_data with the fields that are valid
        data = self.cleaned_data
        crew_value = data.get("crew") or ""
        crew = int(crew_value) if crew_value.isdigit() and any(c.pk == int(crew_value) for c in self.crews) else None
        return BoardQuery(
            tab=self.tab,
            statuses=list(data.get("status") or []),
            service_types=[t.pk for t in data.get("type") or []],
            brands=[b.pk for b in data.get("brand") or []],
            crew=crew,
            unassigned=crew_value == "none",
            lights=list(data.get("light") or []),
            priority=data.get("priority"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            place=data.get("place") or "",
            q=data.get("q") or "",
            sort=data.get("sort") or DEFAULT_SORT,
        )

    @property
    def page_size(self) -> int:
        self.is_valid()
        return self.cleaned_data.get("per_page") or PAGE_SIZES[0]


class CrewChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Crew) -> str:
        return f"{obj.code} · {obj.name}"


class AssignForm(forms.Form):
    crew = CrewChoiceField(label=_("Crew"), queryset=Crew.objects.none(), empty_label=None)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, crews: QuerySet[Crew], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["crew"].queryset = crews


class BulkAssignForm(forms.Form):
    folios = forms.MultipleChoiceField(label=_("Folios"), choices=[], required=True)
    crew = CrewChoiceField(label=_("Crew"), queryset=Crew.objects.none(), empty_label=_("Choose a crew"))

    def __init__(self, *args: Any, crews: QuerySet[Crew], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["crew"].queryset = crews
        # The folios are checked one by one by the bulk action (and 404-scoped by the view), so
        # any submitted value is a valid choice here.
        submitted = self.data.getlist("folios") if hasattr(self.data, "getlist") else []
        self.fields["folios"].choices = [(f, f) for f in submitted[:500]]
        self.fields["folios"].error_messages["required"] = _("Select at least one folio.")


class PolicyAcknowledgement(forms.CheckboxInput):
    """A checkbox whose value is the policy's id, so the action records exactly which policy
    (and version) the user read; a policy replaced meanwhile is then refused by the action."""

    def __init__(self, policy: Policy, attrs: dict | None = None):
        super().__init__(attrs)
        self.policy = policy

    def format_value(self, value: Any) -> str:
        return str(self.policy.pk)

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        checked = value is not None and str(value) == str(self.policy.pk)
        context["widget"]["attrs"].pop("checked", None)
        if checked:
            context["widget"]["attrs"]["checked"] = True
        context["widget"]["value"] = str(self.policy.pk)
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str | None:
        return data.get(name) or None


class OrderActionForm(forms.Form):
    """Reason codes of the action, a note, and the acknowledgement of the policy in force."""

    action: str = ""

    reason = forms.ModelChoiceField(label=_("Reason"), queryset=Reason.objects.none(), empty_label=_("Choose…"))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, order: Order, policy: Policy | None, policies: QuerySet[Policy], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.order = order
        self.policy = policy
        self.fields["reason"].queryset = Reason.objects.filter(action=self.action, active=True)
        if policy is not None and policy.requires_acknowledgement:
            self.fields["acknowledged_policy"] = forms.ModelChoiceField(
                queryset=policies,
                widget=PolicyAcknowledgement(policy),
                label=_("I have read the policy “%(title)s” (version %(version)s)")
                % {"title": policy.title, "version": policy.version},
                error_messages={
                    "required": _("Read the policy and tick the box."),
                    "invalid_choice": _("That policy is no longer in force: read the current one."),
                },
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "note": data.get("note", ""),
            "acknowledged_policy": data.get("acknowledged_policy"),
        }


class RescheduleForm(OrderActionForm):
    action = Action.RESCHEDULE

    date = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}))
    window = forms.ChoiceField(label=_("Time window"), choices=Order.Window.choices, widget=forms.RadioSelect)

    field_order = ["date", "window", "reason", "note", "acknowledged_policy"]

    def action_kwargs(self) -> dict[str, Any]:
        return {**super().action_kwargs(), "date": self.cleaned_data["date"], "window": self.cleaned_data["window"]}


class RejectForm(OrderActionForm):
    action = Action.REJECT


class CancelForm(OrderActionForm):
    action = Action.CANCEL

    other_folio = forms.CharField(
        label=_("Duplicated folio"),
        required=False,
        max_length=20,
        help_text=_("Only when the reason is a duplicate: the folio this one duplicates."),
    )
    field_order = ["reason", "other_folio", "note", "acknowledged_policy"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        needing = [
            str(pk) for pk in self.fields["reason"].queryset.filter(needs_other_folio=True).values_list("pk", flat=True)
        ]
        # The page's script shows the folio field only for these reasons.
        self.fields["reason"].widget.attrs["data-needs-other-folio"] = ",".join(needing)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reason = data.get("reason")
        if reason is not None and reason.needs_other_folio and not data.get("other_folio", "").strip():
            self.add_error("other_folio", _("Give the folio this one duplicates."))
        return data

    def action_kwargs(self) -> dict[str, Any]:
        return {**super().action_kwargs(), "other_folio": self.cleaned_data.get("other_folio", "")}


class ChangeTypeForm(OrderActionForm):
    action = Action.CHANGE_TYPE

    service_type = forms.ModelChoiceField(
        label=_("New order type"), queryset=ServiceType.objects.none(), empty_label=_("Choose…")
    )
    field_order = ["service_type", "reason", "note", "acknowledged_policy"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = ServiceType.objects.filter(active=True).exclude(
            pk=self.order.service_type_id
        )

    def action_kwargs(self) -> dict[str, Any]:
        return {**super().action_kwargs(), "service_type": self.cleaned_data["service_type"]}


ACTION_FORMS: dict[str, type[OrderActionForm]] = {
    "reschedule": RescheduleForm,
    "reject": RejectForm,
    "cancel": CancelForm,
    "change_type": ChangeTypeForm,
}
