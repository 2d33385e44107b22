"""URLs of the ratings capability: each views module contributes its own `urlpatterns`."""

from . import ballot_views, paper_views, result_views, round_views

app_name = "ratings"
urlpatterns = (
    ballot_views.urlpatterns + round_views.urlpatterns + paper_views.urlpatterns + result_views.urlpatterns
)
