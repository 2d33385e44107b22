from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gongkai.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from gongkai.core import home

        from . import panels

        for factory in panels.FACTORIES:
            home.register(factory)

        from gongkai.core import demo as demo_hooks

        from . import demo

        demo_hooks.register(
            demo.load_demo
        )  # `gongkai seed-demo`: receptions, inspections, desks, motions, cases
