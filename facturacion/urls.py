from django.urls import path

from facturacion import views

app_name = "facturacion"

urlpatterns = [
    path("", views.statement, name="statement"),
    path("csv/", views.statement_csv, name="statement_csv"),
]
