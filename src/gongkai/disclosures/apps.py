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

        from . import logleaf  # the transparency log's source of published versions

        logleaf.register()

        from gongkai.core import demo as demo_hooks

        from . import demo

        demo_hooks.register(demo.load_demo)  # `gongkai seed-demo`: catalog, schedules, disclosures, boards
