"""URLs of the disclosure capability: each views module contributes its own `urlpatterns`."""

from . import board_views, catalog_views, compliance_views, topic_views, views

app_name = "disclosures"
urlpatterns = (
    views.urlpatterns
    + catalog_views.urlpatterns
    + compliance_views.urlpatterns
    + topic_views.urlpatterns
    + board_views.urlpatterns
)
