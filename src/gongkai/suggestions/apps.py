from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "gongkai.suggestions"
    label = "suggestions"
    verbose_name = _("Suggestions")

    def ready(self) -> None:
        from gongkai.core import demo as demo_hooks
        from gongkai.core import home

        from . import demo, panels

        for factory in panels.FACTORIES:
            home.register(factory)
        demo_hooks.register(demo.load_demo)  # `gongkai seed-demo`: a year of suggestions, drives, panels
        demo_hooks.register_notes(demo.login_notes)  # `gongkai demo-logins`: a panel member, a manager
