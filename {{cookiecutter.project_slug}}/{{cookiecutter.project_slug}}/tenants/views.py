from django.shortcuts import render
from django_tenants.utils import get_public_schema_name, get_tenant_model


def directory(request):
    """The public site's home: a link to each tenant's page (a demo; hide it in production)."""
    tenants = get_tenant_model().objects.exclude(schema_name=get_public_schema_name())
{%- if cookiecutter.tenant_resolution == "subdomain" %}
    port = request.get_port()
    suffix = "" if port in ("80", "443") else f":{port}"
    links = [
        (tenant.name, f"//{domain.domain}{suffix}/")
        for tenant in tenants.prefetch_related("domains")
        for domain in tenant.domains.all()
    ]
{%- else %}
    # Header mode: browsers name the tenant in the query string.
    links = [(tenant.name, f"/?tenant={tenant.schema_name}") for tenant in tenants]
{%- endif %}
    return render(request, "tenants/directory.html", {"links": links})
