from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.tenants"
    label = "tenants"

    def ready(self) -> None:
        from . import signals  # noqa: F401
