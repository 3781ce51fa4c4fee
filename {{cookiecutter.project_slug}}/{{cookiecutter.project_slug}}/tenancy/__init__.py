"""The tenancy layer: one tenant per PostgreSQL schema, for HTTP, WebSockets{% if cookiecutter.celery_broker != "none" %} and Celery{% endif %}.

- `context`: the active tenant, one ContextVar per task or thread;
- `backend`: the database backend that sets `search_path` from that context on every cursor;
- `resolution` and `cache`: which tenant a request or handshake belongs to, cached;
- `middleware` and `origin`: the HTTP and ASGI middleware that resolve and activate it;
- `consumers` and `groups`: WebSocket consumer bases and tenant-scoped channel-layer groups;
{%- if cookiecutter.celery_broker != "none" %}
- `tasks`: the Celery task base that carries the tenant with every message;
{%- endif %}
- `exceptions`: what goes wrong, and how to fix it.
"""
