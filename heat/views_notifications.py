"""A user's notifications (/avisos/): the list, marking them read, and the navbar badge that
htmx refreshes every 30 seconds."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from asignaciones.selectors_tecnico import notifications_for, unread_for


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), 30).get_page(request.GET.get("pagina"))
    return render(request, "avisos/list.html", {"page": page, "unread_count": unread_for(request.user).count()})


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one as read and follow its link (the user clicked it)."""
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("avisos:list")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    unread_for(request.user).update(read_at=timezone.now())
    return redirect("avisos:list")


@require_GET
@login_required
def badge(request: HttpRequest) -> HttpResponse:
    return render(request, "avisos/badge.html", {"unread_count": unread_for(request.user).count()})
