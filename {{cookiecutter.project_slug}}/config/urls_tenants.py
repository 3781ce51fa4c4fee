"""URLs of every tenant's site."""

from django.contrib import admin
from django.urls import path

from {{ cookiecutter.project_slug }}.items import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/items/", views.item_list, name="item-list"),
{%- if cookiecutter.celery_broker != "none" %}
    path("api/jobs/", views.start_job, name="start-job"),
{%- endif %}
]
