from django.urls import path

from . import import_views, views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("units/<int:pk>/", views.unit_list, name="unit"),
    path("units/<int:pk>/add/", views.unit_add, name="unit_add"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("people/", views.people_list, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", views.person_grant, name="person_grant"),
    path("people/<int:pk>/roles/<int:assignment_pk>/revoke/", views.person_revoke, name="person_revoke"),
    path("people/<int:pk>/active/", views.person_active, name="person_active"),
    path("constituencies/", views.constituency_list, name="constituencies"),
    path("import/", import_views.import_upload, name="import"),
    path("import/<str:token>/", import_views.import_preview, name="import_preview"),
    path("import/<str:token>/apply/", import_views.import_apply, name="import_apply"),
]
