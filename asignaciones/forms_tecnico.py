"""Forms of the technician's pages and of the dispatcher's answer to a technician's request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from asignaciones.actions.orders import MaterialLine
from asignaciones.actions.visits import Photo
from asignaciones.models import Action, Material, Order, Reason

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 5
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


def check_photo(upload: UploadedFile) -> Photo:
    """A JPEG or PNG of at most 5 MB, judged by its content, never by its name or the browser's
    claimed type."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_PHOTO_BYTES:
        raise forms.ValidationError(
            _("“%(name)s” is larger than 5 MB."), code="too_large", params={"name": upload.name}
        )
    if upload.size == 0:
        raise forms.ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": upload.name})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        upload.seek(0)
    if kind not in PHOTO_TYPES:
        raise forms.ValidationError(
            _("“%(name)s” is not a JPEG or PNG photo."), code="wrong_type", params={"name": upload.name}
        )
    return Photo(file=upload, content_type=PHOTO_TYPES[kind], size=upload.size)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Photo]:
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if len(uploads) > MAX_PHOTOS:
            raise forms.ValidationError(_("Attach at most five photos."), code="too_many")
        photos, errors = [], []
        for upload in uploads:
            single = super().clean(upload, initial)
            try:
                photos.append(check_photo(single))
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return photos


class PositionFields(forms.Form):
    """Hidden coordinates filled by static/tecnico/tecnico.js from the phone's geolocation."""

    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, widget=forms.HiddenInput
    )
    accuracy = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def clean_latitude(self) -> Decimal | None:
        value = self.cleaned_data.get("latitude")
        return value.quantize(Decimal("0.000001")) if value is not None else None

    def clean_longitude(self) -> Decimal | None:
        value = self.cleaned_data.get("longitude")
        return value.quantize(Decimal("0.000001")) if value is not None else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("The position is incomplete: try again."))
        return data

    @property
    def position(self) -> dict[str, Any]:
        return {"latitude": self.cleaned_data.get("latitude"), "longitude": self.cleaned_data.get("longitude")}


class CheckInForm(PositionFields):
    without_position = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("latitude") is None and not data.get("without_position"):
            raise forms.ValidationError(
                _("We could not read your position. Allow the location in your browser, or check in without it.")
            )
        return data

    @property
    def accuracy_m(self) -> int | None:
        return self.cleaned_data.get("accuracy") if self.cleaned_data.get("latitude") is not None else None


def closing_codes() -> Any:
    return Reason.objects.filter(action=Action.COMPLETE, active=True).order_by("label")


class CompleteForm(PositionFields):
    solution_code_1 = forms.ModelChoiceField(queryset=Reason.objects.none(), label=_("Solution code 1"))
    solution_code_2 = forms.ModelChoiceField(queryset=Reason.objects.none(), label=_("Solution code 2"), required=False)
    solution_code_3 = forms.ModelChoiceField(queryset=Reason.objects.none(), label=_("Solution code 3"), required=False)
    comments = forms.CharField(
        label=_("Solution comments"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    photos = MultiplePhotoField(
        label=_("Photos"), required=False, help_text=_("Optional: up to five JPEG or PNG photos of 5 MB at most.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = closing_codes()
        for name in ("solution_code_1", "solution_code_2", "solution_code_3"):
            self.fields[name].queryset = codes
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["comments"].widget.attrs["class"] = "form-control"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        codes = [data.get(f"solution_code_{i}") for i in (1, 2, 3)]
        chosen = [c for c in codes if c]
        if len({c.pk for c in chosen}) != len(chosen):
            raise forms.ValidationError(_("Each solution code may be given once."))
        return data

    @property
    def solution_codes(self) -> list[Reason]:
        return [
            self.cleaned_data[f"solution_code_{i}"] for i in (1, 2, 3) if self.cleaned_data.get(f"solution_code_{i}")
        ]


def materials_for(order: Order) -> Any:
    return Material.objects.filter(active=True, brands=order.brand_id).order_by("code")


class MaterialLineForm(forms.Form):
    material = forms.ModelChoiceField(queryset=Material.objects.none(), label=_("Material"), required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=8, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    serial_number = forms.CharField(label=_("Serial number"), max_length=40, required=False)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = materials_for(order)
        self.fields["quantity"].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        material = data.get("material")
        if material is None:
            if data.get("quantity") or data.get("serial_number"):
                raise forms.ValidationError(_("Choose the material of this line."))
            return data
        if data.get("quantity") is None:
            if material.serialized:
                data["quantity"] = Decimal(1)  # one piece per serial
            else:
                self.add_error("quantity", _("Give the quantity."))
        return data

    def line(self, *, recovered: bool = False) -> MaterialLine | None:
        data = self.cleaned_data
        if not data or data.get("material") is None:
            return None
        return MaterialLine(
            material=data["material"],
            quantity=data["quantity"],
            serial_number=data.get("serial_number", ""),
            recovered=recovered,
        )


class RecoveredLineForm(forms.Form):
    material = forms.ModelChoiceField(queryset=Material.objects.none(), label=_("Receiver"), required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=40, required=False)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = materials_for(order).filter(is_receiver=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("material") is None and data.get("serial_number"):
            raise forms.ValidationError(_("Choose the receiver of this line."))
        return data

    def line(self) -> MaterialLine | None:
        data = self.cleaned_data
        if not data or data.get("material") is None:
            return None
        return MaterialLine(
            material=data["material"], quantity=Decimal(1), serial_number=data.get("serial_number", ""), recovered=True
        )


MaterialFormSet = forms.formset_factory(MaterialLineForm, extra=3, max_num=30, validate_max=True)
RecoveredFormSet = forms.formset_factory(RecoveredLineForm, extra=2, max_num=8, validate_max=True)


def reschedule_reasons() -> Any:
    return Reason.objects.filter(action=Action.RESCHEDULE, active=True).order_by("label")


class RescheduleRequestForm(forms.Form):
    reason = forms.ModelChoiceField(queryset=Reason.objects.none(), label=_("Reason"))
    date = forms.DateField(label=_("Proposed date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    window = forms.ChoiceField(label=_("Proposed window"), choices=Order.Window.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reschedule_reasons()


class DuplicateForm(forms.Form):
    other_folio = forms.CharField(label=_("Folio it duplicates"), max_length=20)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptRequestForm(forms.Form):
    policy = forms.IntegerField(required=False, widget=forms.HiddenInput)
    acknowledge = forms.BooleanField(required=False, label=_("I have read and accept the policy"))
    note = forms.CharField(label=_("Note for the technician"), required=False, max_length=500)


class RefuseRequestForm(forms.Form):
    note = forms.CharField(label=_("Why (for the technician)"), required=False, max_length=500)
