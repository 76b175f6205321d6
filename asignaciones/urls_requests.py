from django.urls import path

from asignaciones import views_requests as views

app_name = "solicitudes"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("<int:pk>/aceptar/", views.accept, name="accept"),
    path("<int:pk>/rechazar/", views.refuse, name="refuse"),
    path("visita/<str:folio>/", views.visit_control, name="visit_control"),
    path("foto/<int:pk>/", views.photo, name="photo"),
]
