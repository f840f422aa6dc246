from django.urls import path

from . import views

app_name = "person_index"

urlpatterns = [
    path("known-child/<ref:reference>/", views.known_child_check, name="known_child_check"),
    path(
        "known-child/<ref:reference>/<str:kind>/<int:subject_id>/<int:person_id>/",
        views.match_decide,
        name="match_decide",
    ),
    path("<int:person_id>/", views.person_chronology, name="person_chronology"),
    path("<int:person_id>/merge/", views.person_merge, name="person_merge"),
    path("merges/<int:merge_id>/undo/", views.person_unmerge, name="person_unmerge"),
]
