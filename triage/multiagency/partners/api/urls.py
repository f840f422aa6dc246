from django.urls import path

from . import views

app_name = "partners-api"

urlpatterns = [
    path("requests/", views.PartnerRequestListApi.as_view(), name="request_list"),
    path("requests/<uuid:public_id>/", views.PartnerRequestDetailApi.as_view(), name="request_detail"),
    path("requests/<uuid:public_id>/answer/", views.PartnerRequestAnswerApi.as_view(), name="request_answer"),
]
