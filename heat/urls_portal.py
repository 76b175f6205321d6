from django.contrib.auth import views as auth_views
from django.urls import include, path

from heat import views

urlpatterns = [
    path("entrar/", views.LoginView.as_view(), name="login"),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("asignaciones/", include("asignaciones.urls")),
    path("tecnico/", include("asignaciones.urls_tecnico")),
    path("cuadrillas/", include("cuadrillas.urls")),
    path("facturacion/", include("facturacion.urls")),
    path("solicitudes/", include("asignaciones.urls_requests")),
    path("avisos/", include("heat.urls_notifications")),
    path("", include("heat.urls_dashboard")),
    path("", include("heat.urls_distributor")),
]
