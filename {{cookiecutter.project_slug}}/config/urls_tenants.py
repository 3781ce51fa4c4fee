"""URLs of every tenant's site."""

from django.contrib import admin
from django.urls import path

from {{ cookiecutter.project_slug }}.items.views import item_list

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/items/", item_list, name="item-list"),
]
