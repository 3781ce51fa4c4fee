"""URLs of the public schema: the site that is no tenant's."""

from django.contrib import admin
from django.urls import path

from {{ cookiecutter.project_slug }}.tenants.views import directory

urlpatterns = [
    path("", directory, name="directory"),
    path("admin/", admin.site.urls),
]
