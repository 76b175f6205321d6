from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CuadrillasConfig(AppConfig):
    name = "cuadrillas"
    verbose_name = _("Crews")
