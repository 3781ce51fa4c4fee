from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from . import cache

        cache.connect_invalidation()
