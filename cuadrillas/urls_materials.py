from django.urls import path

from cuadrillas import views_materials

urlpatterns = [
    path("materiales/", views_materials.balances, name="materials"),
    path("materiales/movimiento/", views_materials.handover, name="material_handover"),
    path("materiales/reporte/", views_materials.report, name="material_report"),
    path("materiales/catalogo/", views_materials.catalogue, name="material_catalogue"),
]
