from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from heat.tenancy import RoleKind, portal_role

# The original extranet's menu, by role: (label, URL name). Entries whose page does not exist
# (yet) are left out rather than linking nowhere.
DISTRIBUTOR_MENU = [
    (_("Dashboard"), "dashboard"),
    (_("Orders"), "asignaciones:board"),
    (_("Requests"), "solicitudes:list"),
    (_("Crews"), "cuadrillas:crews"),
    (_("Materials"), "cuadrillas:materials"),
    (_("Mileage"), "cuadrillas:mileage"),
    (_("Billing"), "facturacion:statement"),
    (_("Distributor"), "distributor"),
]
MENUS = {
    RoleKind.OWNER: DISTRIBUTOR_MENU,
    RoleKind.DISPATCHER: DISTRIBUTOR_MENU,
    RoleKind.MASTER: [*DISTRIBUTOR_MENU[:-1], (_("Master"), "master")],
    RoleKind.BACK_OFFICE: [*DISTRIBUTOR_MENU[:-1]],
    RoleKind.TECHNICIAN: [(_("My visits"), "tecnico:visits")],
}


def portal(request: HttpRequest) -> dict:
    """The signed-in user's role and menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = portal_role(user)
    menu = []
    for label, name in MENUS.get(role.kind, []):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        menu.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"portal_role": role, "portal_menu": menu}
