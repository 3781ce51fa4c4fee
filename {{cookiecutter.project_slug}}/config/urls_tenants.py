"""URLs of every tenant's site."""

from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import path

from {{ cookiecutter.project_slug }}.items import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", LoginView.as_view(template_name="items/login.html"), name="login"),
    path("admin/", admin.site.urls),
    path("api/items/", views.item_list, name="item-list"),
{%- if cookiecutter.celery_broker != "none" %}
    path("api/jobs/", views.start_job, name="start-job"),
{%- endif %}
]
