"""URLs of the suggestions capability: each views module contributes its own `urlpatterns`."""

from . import author_views, drive_views, insight_views, review_views, stats_views

app_name = "suggestions"
urlpatterns = (
    author_views.urlpatterns
    + review_views.urlpatterns
    + insight_views.urlpatterns
    + drive_views.urlpatterns
    + stats_views.urlpatterns
)
