"""Who may open the distributor portal's pages. Every view of the portal goes through here.

Roles are checked before any object is looked up, so a refused role never learns whether a
folio exists; objects are then found through the tenant-scoped selectors (another
distributor's object is a 404). Technicians have their own pages: these answer them 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from heat.tenancy import RoleKind, portal_role

# May read the board, folios, crews: the distributor's staff, a master (its distributors,
# read-only) and the back office (everything).
READERS = frozenset({RoleKind.OWNER, RoleKind.DISPATCHER, RoleKind.MASTER, RoleKind.BACK_OFFICE})
# May act on folios (the actions still check the folio's distributor and status).
DISPATCHERS = frozenset({RoleKind.OWNER, RoleKind.DISPATCHER, RoleKind.BACK_OFFICE})
OWNERS = frozenset({RoleKind.OWNER})
DISTRIBUTOR_STAFF = frozenset({RoleKind.OWNER, RoleKind.DISPATCHER})
MASTER_VIEWERS = frozenset({RoleKind.MASTER, RoleKind.BACK_OFFICE})


def portal_view(roles: frozenset[RoleKind] = READERS) -> Callable:
    """Login required, then the user's role must be one of ``roles`` (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if portal_role(request.user).kind not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
