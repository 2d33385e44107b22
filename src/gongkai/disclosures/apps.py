from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "gongkai.disclosures"
    label = "disclosures"
    verbose_name = _("Disclosures")

    def ready(self) -> None:
        from gongkai.core import home

        from . import panels

        for factory in panels.FACTORIES:
            home.register(factory)
