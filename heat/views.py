from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from heat.tenancy import portal_role


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's landing page: technicians their visits, everybody else the dashboard."""
    role = portal_role(request.user)
    target = "tecnico:visits" if role.is_technician else "dashboard"
    try:
        return redirect(reverse(target))
    except NoReverseMatch:
        return render(request, "heat/home.html", {"role": role})
