"""The home page's address, included at the site's root by ``obrail.urls`` (no namespace: its
name is ``home``)."""

from __future__ import annotations

from django.urls import path

from apps.stats import views

urlpatterns = [path("", views.home, name="home")]
