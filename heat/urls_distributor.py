from django.urls import path

from heat import views_distributor

urlpatterns = [
    path("distribuidor/", views_distributor.distributor, name="distributor"),
    path("distribuidor/editar/", views_distributor.distributor_edit, name="distributor_edit"),
    path("master/", views_distributor.master, name="master"),
]
