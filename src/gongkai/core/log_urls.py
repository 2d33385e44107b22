"""The transparency log's public URLs, mounted at /log/ (docs/transparency-log.md)."""

from django.urls import path

from . import log_views

app_name = "log"
urlpatterns = [
    path("", log_views.index, name="index"),
    path("sth", log_views.sth, name="sth"),
    path("sth/<int:size>", log_views.sth_of_size, name="sth_of_size"),
    path("public-key", log_views.public_key, name="public_key"),
    path("proof/inclusion", log_views.inclusion, name="inclusion"),
    path("proof/consistency", log_views.consistency, name="consistency"),
    path("leaves", log_views.leaves, name="leaves"),
]
