from django.urls import path

from heat import views_notifications as views

app_name = "avisos"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/leido/", views.mark_read, name="read"),
    path("leidos/", views.mark_all_read, name="read_all"),
    path("contador/", views.badge, name="badge"),
]
