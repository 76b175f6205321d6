"""Documents: the printable service order (ODR) and the policy PDFs."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from asignaciones import pdf
from asignaciones.selectors import get_order_for, policies_visible_to
from asignaciones.views.access import READERS, portal_view
from heat.tenancy import RoleKind


@require_GET
@portal_view()
def print_order(request: HttpRequest, folio: str) -> HttpResponse:
    """The service order (ODR) for the crew, as a PDF that opens in the browser."""
    order = get_order_for(request.user, folio)
    response = HttpResponse(pdf.service_order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ODR-{order.folio}.pdf"'
    return response


@require_GET
@portal_view(READERS | {RoleKind.TECHNICIAN})
def policy_document(request: HttpRequest, pk: int) -> FileResponse:
    """A policy's PDF, inline: the version uploaded in the admin, else the one built in policies/."""
    policy = policies_visible_to(request.user).filter(pk=pk).first()
    if policy is None:
        raise Http404("No such policy")
    if policy.document:
        try:
            handle = policy.document.open("rb")
        except FileNotFoundError:
            handle = None
        if handle is not None:
            return FileResponse(handle, content_type="application/pdf", filename=f"{policy.action}.pdf")
    built = pdf.built_policy_path(settings.POLICIES_DIR, policy.action, policy.service_type)
    if built is None:
        raise Http404("This policy has no document yet")
    return FileResponse(built.open("rb"), content_type="application/pdf", filename=built.name)
