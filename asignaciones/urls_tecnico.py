from django.urls import path

from asignaciones import views_tecnico as views

app_name = "tecnico"

urlpatterns = [
    path("", views.visits_list, name="visits"),
    path("visita/<str:folio>/", views.visit, name="visit"),
    path("visita/<str:folio>/llegada/", views.check_in, name="check_in"),
    path("visita/<str:folio>/cerrar/", views.complete, name="complete"),
    path("visita/<str:folio>/reagendar/", views.request_reschedule, name="request_reschedule"),
    path("visita/<str:folio>/duplicado/", views.flag_duplicate, name="flag_duplicate"),
]
