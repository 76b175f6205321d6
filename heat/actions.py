"""Changes a distributor's owner makes to its own data: contact details, coverage, contacts.

Company-side data (name, legal name, RFC, base location, mileage terms, time zone) is the back
office's, in the admin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from heat.models import ContactPerson, Distributor
from heat.tenancy import portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


class DistributorActionError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ContactLine:
    """One contact person as edited: ``pk`` None for a new one; ``delete`` removes it."""

    pk: int | None
    name: str
    position: str = ""
    phone: str = ""
    email: str = ""
    delete: bool = False


@transaction.atomic
def update_distributor(
    distributor: Distributor,
    *,
    by: User,
    phone: str,
    email: str,
    address: str,
    coverage_postal_codes: Sequence[str],
    coverage_radius_km: Decimal | None,
    contacts: Sequence[ContactLine] = (),
) -> Distributor:
    """The owner's edit of its distributor. Rules: only the distributor's own owner; postal
    codes are kept once each, in order; contacts edited must be the distributor's."""
    role = portal_role(by)
    if not (role.is_owner and role.distributor.pk == distributor.pk):
        raise DistributorActionError(_("Only the distributor's owner may change its data."))
    distributor = Distributor.objects.select_for_update(no_key=True).get(pk=distributor.pk)
    distributor.phone, distributor.email, distributor.address = phone, email, address
    distributor.coverage_postal_codes = list(dict.fromkeys(code.strip() for code in coverage_postal_codes if code))
    distributor.coverage_radius_km = coverage_radius_km
    distributor.save(update_fields=["phone", "email", "address", "coverage_postal_codes", "coverage_radius_km"])
    own = {c.pk: c for c in ContactPerson.objects.filter(distributor=distributor)}
    for line in contacts:
        if line.pk is not None and line.pk not in own:
            raise DistributorActionError(_("That contact does not belong to the distributor."))
        if line.pk is None:
            if not line.delete and line.name:
                ContactPerson.objects.create(
                    distributor=distributor, name=line.name, position=line.position, phone=line.phone, email=line.email
                )
            continue
        contact = own[line.pk]
        if line.delete:
            contact.delete()
            continue
        contact.name, contact.position, contact.phone, contact.email = line.name, line.position, line.phone, line.email
        contact.save(update_fields=["name", "position", "phone", "email"])
    return distributor
