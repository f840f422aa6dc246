from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [path("callback", views.notify_callback, name="notify_callback")]
