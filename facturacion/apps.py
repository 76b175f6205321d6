from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacturacionConfig(AppConfig):
    name = "facturacion"
    verbose_name = _("Billing")
