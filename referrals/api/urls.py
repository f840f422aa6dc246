from django.urls import path

from .views import ReferralCreateApi

app_name = "referrals-api"

urlpatterns = [path("", ReferralCreateApi.as_view(), name="create")]
