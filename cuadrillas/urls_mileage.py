"""Mileage (kilometraje) and the map, under /cuadrillas/ in the ``cuadrillas`` namespace."""

from django.urls import path

from cuadrillas import views_mileage

urlpatterns = [
    path("kilometraje/", views_mileage.mileage_totals, name="mileage"),
    path("kilometraje/csv/", views_mileage.mileage_csv, name="mileage_csv"),
    path("kilometraje/cuadrilla/<int:crew_id>/", views_mileage.mileage_crew_day, name="mileage_crew"),
    path("mapa/", views_mileage.mileage_map, name="map"),
]
