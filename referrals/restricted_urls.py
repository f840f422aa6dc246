from django.urls import path

from . import restricted_views

app_name = "restricted"

urlpatterns = [
    path("<ref:reference>/", restricted_views.manage, name="manage"),
]
