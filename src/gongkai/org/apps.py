from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "gongkai.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from gongkai.core import access, home

        from . import panels, queries

        access.register_loader(queries.load_scope)
        for factory in panels.FACTORIES:
            home.register(factory)
