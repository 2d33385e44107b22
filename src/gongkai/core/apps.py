from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongkai.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import home, panels

        for factory in panels.FACTORIES:
            home.register(factory)
