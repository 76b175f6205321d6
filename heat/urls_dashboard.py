"""The traffic-light dashboard (gráfica) and the partial it polls to refresh itself."""

from django.urls import path

from heat import views_dashboard

urlpatterns = [
    path("grafica/", views_dashboard.dashboard, name="dashboard"),
    path("grafica/panel/", views_dashboard.dashboard_panel, name="dashboard_panel"),
]
