from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("requests/<uuid:public_id>/", views.request_detail, name="request_detail"),
    path("requests/<uuid:public_id>/decline/", views.request_decline, name="request_decline"),
]
