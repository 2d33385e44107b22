from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "gongkai.ratings"
    label = "ratings"
    verbose_name = _("Ratings")

    def ready(self) -> None:
        from gongkai.core import demo as demo_hooks
        from gongkai.core import home

        from . import demo, panels

        for factory in panels.FACTORIES:
            home.register(factory)
        demo_hooks.register(demo.load_demo)  # `gongkai seed-demo`: a closed round per unit, one open round
        demo_hooks.register_notes(demo.login_notes)  # `gongkai demo-logins`: who can vote in the open round
