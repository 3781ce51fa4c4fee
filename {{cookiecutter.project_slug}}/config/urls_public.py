"""URLs of the public schema: the site that is no tenant's."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
