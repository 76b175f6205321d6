"""The order's legal transitions, who may take each action, and the policy that governs it.

Legal transitions are a table in code; per-type rule values are Policy rows in the database,
editable by the back office.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from asignaciones.models import Action, Order, Policy, ServiceType
from heat.tenancy import portal_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

S = Order.Status

# action name -> the statuses it may start from
LEGAL_FROM: dict[str, tuple[str, ...]] = {
    "assign": (S.NEW,),
    "reassign": (S.ASSIGNED,),
    "unassign": (S.ASSIGNED,),
    "reschedule": (S.NEW, S.ASSIGNED, S.IN_PROGRESS),
    "reject": (S.NEW, S.ASSIGNED),
    "cancel": (S.NEW, S.ASSIGNED, S.IN_PROGRESS),
    "change_type": (S.NEW, S.ASSIGNED),
    "start": (S.ASSIGNED,),
    "complete": (S.ASSIGNED, S.IN_PROGRESS),
}

# action name -> who may take it: "dispatcher" (owner or dispatcher of the order's distributor),
# "back_office" (company staff), "technician" (of the order's crew).
ALLOWED_ACTORS: dict[str, frozenset[str]] = {
    "assign": frozenset({"dispatcher", "back_office"}),
    "reassign": frozenset({"dispatcher", "back_office"}),
    "unassign": frozenset({"dispatcher", "back_office"}),
    "reschedule": frozenset({"dispatcher", "back_office"}),
    "reject": frozenset({"dispatcher", "back_office"}),
    "cancel": frozenset({"dispatcher", "back_office"}),
    "change_type": frozenset({"dispatcher", "back_office"}),
    "start": frozenset({"technician", "dispatcher", "back_office"}),
    "complete": frozenset({"technician", "dispatcher", "back_office"}),
}


class OrderActionError(Exception):
    """A business rule refused the action. The message is for the user, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def check_transition(order: Order, action: str) -> None:
    if order.status not in LEGAL_FROM[action]:
        raise OrderActionError(
            _("Folio %(folio)s is in status “%(status)s”: you cannot %(action)s it now.")
            % {
                "folio": order.folio,
                "status": order.get_status_display(),
                "action": ACTION_VERBS[action],
            }
        )


def actor_capacity(order: Order, user: AbstractBaseUser | None) -> str | None:
    """In which capacity ``user`` may act on ``order``, or None."""
    if user is None:
        return None
    role = portal_role(user)
    if role.is_back_office:
        return "back_office"
    if role.is_distributor_staff and role.distributor.pk == order.distributor_id:
        return "dispatcher"
    if role.is_technician and order.crew_id is not None and role.crew.pk == order.crew_id:
        return "technician"
    return None


def may(order: Order, action: str, user: AbstractBaseUser | None) -> bool:
    """Whether ``user`` may take ``action`` on ``order`` now (status and role; not policy)."""
    return order.status in LEGAL_FROM[action] and actor_capacity(order, user) in ALLOWED_ACTORS[action]


def check_actor(order: Order, action: str, user: AbstractBaseUser | None) -> str:
    capacity = actor_capacity(order, user)
    if capacity not in ALLOWED_ACTORS[action]:
        raise OrderActionError(_("You are not allowed to do that with folio %(folio)s.") % {"folio": order.folio})
    return capacity


def policy_for(action: str, service_type: ServiceType | None) -> Policy | None:
    """The policy in force for an action: the newest active version for the order's type, else
    the newest general one."""
    now = timezone.now()
    candidates = (
        Policy.objects.filter(action=action, active=True, effective_from__lte=now)
        .filter(Q(service_type=service_type) | Q(service_type__isnull=True))
        .order_by(F("service_type").asc(nulls_last=True), "-version")  # the type's own first
    )
    return candidates.first()


def check_acknowledgement(policy: Policy | None, acknowledged: Policy | None) -> None:
    """Refuse unless the user acknowledged exactly the policy (and version) in force."""
    if policy is None or not policy.requires_acknowledgement:
        return
    if acknowledged is None:
        raise OrderActionError(
            _("Read and acknowledge the policy “%(title)s” before you continue.") % {"title": policy.title}
        )
    if acknowledged.pk != policy.pk:
        raise OrderActionError(
            _("The policy “%(title)s” changed (now version %(version)s): read it again.")
            % {"title": policy.title, "version": policy.version}
        )


def rule(policy: Policy | None, name: str, default=None):
    if policy is None:
        return default
    return policy.rules.get(name, default)


# "you cannot %(action)s it now"
ACTION_VERBS = {
    "assign": gettext_lazy("assign"),
    "reassign": gettext_lazy("reassign"),
    "unassign": gettext_lazy("unassign"),
    "reschedule": gettext_lazy("reschedule"),
    "reject": gettext_lazy("reject"),
    "cancel": gettext_lazy("cancel"),
    "change_type": gettext_lazy("change the type of"),
    "start": gettext_lazy("start"),
    "complete": gettext_lazy("complete"),
}

__all__ = [
    "Action",
    "OrderActionError",
    "check_acknowledgement",
    "check_actor",
    "check_transition",
    "may",
    "policy_for",
    "rule",
]
