from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AsignacionesConfig(AppConfig):
    name = "asignaciones"
    verbose_name = _("Orders")
