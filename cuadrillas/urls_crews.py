from django.urls import path

from cuadrillas import views_crews

urlpatterns = [
    path("", views_crews.crews, name="crews"),
    path("nueva/", views_crews.crew_create, name="crew_create"),
    path("<int:pk>/", views_crews.crew_detail, name="crew"),
    path("<int:pk>/editar/", views_crews.crew_edit, name="crew_edit"),
    path("<int:pk>/mover-tecnico/", views_crews.technician_move, name="technician_move"),
]
