"""The inbox of in-app notifications, mounted at /inbox/."""

from django.urls import path

from . import notify_views

app_name = "inbox"
urlpatterns = [
    path("", notify_views.inbox, name="list"),
    path("read-all/", notify_views.mark_all_read, name="read_all"),
    path("<int:pk>/read/", notify_views.mark_read, name="read"),
    path("<int:pk>/open/", notify_views.open_note, name="open"),
]
