from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/<slug:key>/", views.figure_csv, name="figure_csv"),
    path("statutory/", views.statutory, name="statutory"),
    path("statutory/annex-a.xlsx", views.annex_a_xlsx, name="annex_a"),
    path("statutory/cin-census.xml", views.cin_xml, name="cin_census"),
]
