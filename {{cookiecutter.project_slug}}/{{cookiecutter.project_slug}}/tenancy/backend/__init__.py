"""Database backend: django-tenants' PostgreSQL backend, reading the schema from the context."""
