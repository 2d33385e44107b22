"""URLs of the cases capability: each views module contributes its own `urlpatterns`."""

from . import dashboard_views, raiser_views, source_views, work_views

app_name = "cases"
urlpatterns = (
    raiser_views.urlpatterns + source_views.urlpatterns + work_views.urlpatterns + dashboard_views.urlpatterns
)
