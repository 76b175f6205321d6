"""The back office's admin for the tenant: masters, distributors, their contacts and members.

Also the admin site's titles, the user admin (with the user's place in the portal) and the
"new portal user" fields that the membership and technician add forms share: the back office
issues every portal account, so it creates the user and its place in one form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from heat.models import ContactPerson, Distributor, Master, Membership, Notification

User = get_user_model()

admin.site.site_header = _("Heat · back office")
admin.site.site_title = _("Heat back office")
admin.site.index_title = _("Administration")


def short_datetime(value: dt.datetime | None) -> str:
    """dd/mm/yyyy hh:mm in the project's zone: a list column that fits on one line."""
    if value is None:
        return "—"
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def short_datetime_column(model: type[models.Model], name: str) -> Callable[[Any], str]:
    """A changelist column for a date-time field, short, sortable, labelled by the field."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(obj: Any) -> str:
        return short_datetime(getattr(obj, name))

    column.__name__ = f"{name}_short"
    return column


class SaveChangedFieldsMixin:
    """Save an existing row with ``update_fields``: only the model fields the form changed.

    Never ``save()`` a whole existing row (STYLE.md): a concurrent action's change to another
    field would be overwritten with what this form read earlier.
    """

    def save_model(self, request: HttpRequest, obj: Any, form, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        concrete = {field.name for field in obj._meta.concrete_fields if not field.primary_key}
        changed = [name for name in form.changed_data if name in concrete]
        if changed:
            obj.save(update_fields=changed)


class ReadOnlyAdminMixin:
    """Viewable by the back office, never added, changed or deleted through the admin: records
    that the portal's actions write (audit trails, visits, billing, notifications)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- a new portal user, created together with its place in the portal -------------------------


class NewUserFormMixin(forms.Form):
    """Fields for creating the portal user in the same form as its membership or technician row.

    The form's model must have a nullable-in-the-form ``user`` field: either an existing user is
    chosen, or a username and a password are given and the admin creates the user on save.
    """

    new_username = forms.CharField(
        label=_("new username"),
        max_length=150,
        required=False,
        help_text=_("Leave empty when you choose an existing user above."),
    )
    new_first_name = forms.CharField(label=_("first name"), max_length=150, required=False)
    new_last_name = forms.CharField(label=_("last name"), max_length=150, required=False)
    new_email = forms.EmailField(label=_("email"), required=False)
    new_password1 = forms.CharField(
        label=_("password"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )
    new_password2 = forms.CharField(
        label=_("password (again)"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )

    NEW_USER_FIELDS = ("new_username", "new_first_name", "new_last_name", "new_email", "new_password1", "new_password2")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].required = False
            self.fields["user"].help_text = _("An existing user, or fill in the new user's fields below.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = cleaned.get("user")
        username = (cleaned.get("new_username") or "").strip()
        if user and username:
            raise forms.ValidationError(_("Choose an existing user or create a new one, not both."))
        if not user and not username:
            raise forms.ValidationError(_("Choose an existing user or give the new user's username and password."))
        if username:
            if User.objects.filter(username__iexact=username).exists():
                self.add_error("new_username", _("That username is already taken."))
            password1, password2 = cleaned.get("new_password1"), cleaned.get("new_password2")
            if not password1:
                self.add_error("new_password1", _("Give the new user a password."))
            elif password1 != password2:
                self.add_error("new_password2", _("The two passwords do not match."))
            else:
                candidate = User(
                    username=username,
                    first_name=cleaned.get("new_first_name", ""),
                    last_name=cleaned.get("new_last_name", ""),
                    email=cleaned.get("new_email", ""),
                )
                try:
                    password_validation.validate_password(password1, candidate)
                except forms.ValidationError as error:
                    self.add_error("new_password1", error)
        return cleaned

    def create_user_if_asked(self) -> Any:
        """Create the new user (called by the admin's ``save_model``, inside its transaction)."""
        data = self.cleaned_data
        if data.get("user"):
            return data["user"]
        return User.objects.create_user(
            username=data["new_username"].strip(),
            password=data["new_password1"],
            first_name=data.get("new_first_name", ""),
            last_name=data.get("new_last_name", ""),
            email=data.get("new_email", ""),
        )


NEW_USER_FIELDSET = (
    _("New user"),
    {
        "fields": NewUserFormMixin.NEW_USER_FIELDS,
        "description": _("Only when the person has no user yet: the user is created with this password."),
    },
)


class MembershipAddForm(NewUserFormMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "distributor", "master"]


# --- the tenant ---------------------------------------------------------------------------------


class DistributorInline(admin.TabularInline):
    model = Distributor
    fields = ["code", "name", "city", "time_zone", "active"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Master)
class MasterAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["name", "rfc", "distributor_count", "active"]
    list_filter = ["active"]
    search_fields = ["name", "rfc"]
    inlines = [DistributorInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(distributor_total=Count("distributors"))

    @admin.display(description=_("distributors"), ordering="distributor_total")
    def distributor_count(self, obj: Master) -> int:
        return obj.distributor_total


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    fields = ["name", "position", "phone", "email"]
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0
    verbose_name = _("portal user")
    verbose_name_plural = _("portal users (owners and dispatchers)")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            # A distributor's members are owners or dispatchers; master viewers belong to a master.
            kwargs["choices"] = [
                (value, label) for value, label in Membership.Role.choices if value != Membership.Role.MASTER_VIEWER
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(Distributor)
class DistributorAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "city",
        "state",
        "master",
        "time_zone",
        "coverage_radius_km",
        "crew_count",
        "active",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["active", "master", "time_zone", "state"]
    search_fields = ["code", "name", "legal_name", "rfc", "city"]
    list_select_related = ["master"]
    autocomplete_fields = ["master"]
    inlines = [ContactPersonInline, MembershipInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "master", "active"]}),
        (_("Company"), {"fields": ["legal_name", "rfc", "phone", "email", "address", "city", "state"]}),
        (
            _("Location and coverage"),
            {
                "fields": [
                    "time_zone",
                    ("base_latitude", "base_longitude"),
                    "coverage_postal_codes",
                    "coverage_radius_km",
                ],
                "description": _(
                    "Postal codes separated by commas. An order is inside the coverage area when its postal "
                    "code is listed or it lies within the radius of the base."
                ),
            },
        ),
        (_("Mileage"), {"fields": ["mileage_free_km", "mileage_rate", "mileage_cap_km"]}),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(crew_total=Count("crews"))

    @admin.display(description=_("crews"), ordering="crew_total")
    def crew_count(self, obj: Distributor) -> int:
        return obj.crew_total


@admin.register(ContactPerson)
class ContactPersonAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["name", "position", "distributor", "phone", "email"]
    list_filter = ["distributor"]
    search_fields = ["name", "phone", "email", "distributor__name"]
    list_select_related = ["distributor"]
    autocomplete_fields = ["distributor"]


@admin.register(Membership)
class MembershipAdmin(SaveChangedFieldsMixin, admin.ModelAdmin):
    list_display = ["user", "full_name", "role", "distributor", "master"]
    list_filter = ["role", "distributor", "master"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "distributor__name"]
    list_select_related = ["user", "distributor", "master"]
    autocomplete_fields = ["user", "distributor", "master"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        if obj is None:
            kwargs["form"] = MembershipAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return [
                (None, {"fields": ["user", "role", "distributor", "master"]}),
                NEW_USER_FIELDSET,
            ]
        return [(None, {"fields": ["user", "role", "distributor", "master"]})]

    def save_model(self, request: HttpRequest, obj: Membership, form, change: bool) -> None:
        if not change:
            obj.user = form.create_user_if_asked()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("name"), ordering="user__first_name")
    def full_name(self, obj: Membership) -> str:
        return obj.user.get_full_name()


# --- users: where each one stands in the portal ----------------------------------------------------


class UserMembershipInline(admin.StackedInline):
    model = Membership
    fields = ["role", "distributor", "master"]
    autocomplete_fields = ["distributor", "master"]
    extra = 0
    max_num = 1
    verbose_name = _("place in the portal")
    verbose_name_plural = _("place in the portal")


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "portal_role", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "membership__role", "groups"]
    list_select_related = ["membership", "technician"]
    inlines = [UserMembershipInline]

    @admin.display(description=_("portal role"))
    def portal_role(self, obj: Any) -> str:
        membership = getattr(obj, "membership", None)
        if membership is not None:
            return membership.get_role_display()
        if getattr(obj, "technician", None) is not None:
            return str(_("Technician"))
        if obj.is_staff:
            return str(_("Back office"))
        return "—"


# --- notifications: what the portal told whom ------------------------------------------------------


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by the notification jobs; read-only here, to answer "was the crew told?"."""

    list_display = [
        short_datetime_column(Notification, "created_at"),
        "recipient",
        "channel",
        "kind",
        "title",
        "order",
        short_datetime_column(Notification, "read_at"),
        short_datetime_column(Notification, "sent_at"),
    ]
    list_filter = ["channel", "kind"]
    search_fields = ["recipient__username", "recipient__first_name", "recipient__last_name", "title", "order__folio"]
    list_select_related = ["recipient", "order"]
    date_hierarchy = "created_at"
