"""HTML pages of the ecology app."""

from __future__ import annotations

from django.urls import path

from apps.ecology import views

app_name = "ecology"
urlpatterns = [
    path("", views.scenario_list, name="scenario-list"),
    path("batch/croissance/", views.batch_growth, name="batch-growth"),
    path("batch/croissance.csv", views.batch_csv, name="batch-csv"),
    path("<slug:slug>/", views.scenario_detail, name="scenario-detail"),
    path("<slug:slug>/<str:figure>.csv", views.scenario_csv, name="scenario-csv"),
]
