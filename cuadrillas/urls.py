"""Crews (issue 3), their materials (issue 4) and mileage (issue 5), each in its own module."""

from cuadrillas import urls_crews, urls_materials, urls_mileage

app_name = "cuadrillas"

urlpatterns = [*urls_crews.urlpatterns, *urls_materials.urlpatterns, *urls_mileage.urlpatterns]
