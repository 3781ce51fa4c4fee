{%- set uses_redis = cookiecutter.channel_layer == "redis" or cookiecutter.celery_broker == "redis" -%}
"""Settings of {{ cookiecutter.project_name }}, read from the environment.

A `.env` file beside `manage.py` may supply the variables in development (see `.env.example`);
real environment variables win over it.
"""

from pathlib import Path

import environ

from . import embedded

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Without a service URL, development and tests run embedded servers (see config/embedded.py).
EMBEDDED_SERVICES = env.bool("DJANGO_EMBEDDED_SERVICES", default=DEBUG)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=[".{{ cookiecutter.domain_name }}", ".localhost", "localhost", "127.0.0.1"],
)
# The base domain: tenant "acme" is served at acme.<TENANT_BASE_DOMAIN>.
TENANT_BASE_DOMAIN = env("TENANT_BASE_DOMAIN", default="{{ cookiecutter.domain_name }}")

# Apps -----------------------------------------------------------------------------------------

SHARED_APPS = [
    "django_tenants",
    "daphne",
    "{{ cookiecutter.project_slug }}.tenancy",
    "{{ cookiecutter.project_slug }}.tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "channels",
]
# Sessions and users live in each tenant's schema: a session of tenant a means nothing to b.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "{{ cookiecutter.project_slug }}.items",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Client"
TENANT_DOMAIN_MODEL = "tenants.Domain"

MIDDLEWARE = [
    "{{ cookiecutter.project_slug }}.tenancy.middleware.TenantHttpMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls_tenants"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database -------------------------------------------------------------------------------------

DATABASE_URL = embedded.url(
    "DATABASE_URL",
    lambda: embedded.postgres_url("{{ cookiecutter.project_slug }}"),
    EMBEDDED_SERVICES,
)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# django-tenants' backend, extended so the active schema follows the task, not the thread.
DATABASES["default"]["ENGINE"] = "{{ cookiecutter.project_slug }}.tenancy.backend"
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# psycopg's connection pool, per process (server workers and Celery workers alike): opening a
# PostgreSQL connection costs more than most queries. The arithmetic for max_connections:
# (server processes + worker processes) x DATABASE_POOL_MAX_SIZE, plus headroom.
if env.bool("DATABASE_POOL", default=True):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
        # Recycled connections heal a restarted or failed-over database without a restart.
        "max_lifetime": env.int("DATABASE_POOL_MAX_LIFETIME", default=1800),
        "max_idle": env.int("DATABASE_POOL_MAX_IDLE", default=300),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches and messaging ------------------------------------------------------------------------
{% if uses_redis %}
REDIS_URL = embedded.url("REDIS_URL", embedded.redis_url, EMBEDDED_SERVICES)
# Shared by every process, so the tenant cache is invalidated everywhere at once.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "{{ cookiecutter.project_slug }}",
    },
}
{%- else %}
# Per process: with the in-memory channel layer the project runs as one process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
{%- endif %}
# How long a hostname/schema -> tenant lookup is cached; saves and deletes invalidate at once.
TENANT_CACHE_TIMEOUT = env.int("TENANT_CACHE_TIMEOUT", default=300)
{% if cookiecutter.channel_layer == "redis" %}
# The pub/sub layer: the list-based RedisChannelLayer drops a message whenever a consumer's
# pending receive is cancelled by a disconnect (channels_redis#366), which busy servers do
# all the time. Pub/sub delivers to connected sockets at most once, which is all a socket
# can use anyway.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": "{{ cookiecutter.project_slug }}:asgi"},
    },
}
{%- else %}
# One process only: messages never leave the process that sent them.
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
{%- endif %}
{%- if cookiecutter.tenant_resolution == "header" %}

# Header mode: the header carrying the tenant's schema name; browsers use ?tenant=<schema>.
TENANT_HEADER = "{{ cookiecutter.tenant_header }}"
{%- endif %}
{%- if cookiecutter.celery_broker == "redis" %}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=embedded.celery_broker_url(REDIS_URL))
{%- elif cookiecutter.celery_broker == "rabbitmq" %}

CELERY_BROKER_URL = embedded.url(
    "CELERY_BROKER_URL", lambda: embedded.LOCAL_RABBITMQ, EMBEDDED_SERVICES
)
{%- endif %}
{%- if cookiecutter.celery_broker != "none" %}
# A task is acknowledged when it ends, so a worker that dies mid-task loses nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Results reach clients through the channel layer, not a result backend.
CELERY_TASK_IGNORE_RESULT = True
# A dead broker fails the sender within about a second instead of hanging it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
{%- if cookiecutter.celery_broker == "redis" %}
# A task whose worker died before acknowledging it is handed out again after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
{%- endif %}
# Once per tenant, every hour: tenancy.for_each_tenant sends the task in each tenant.
CELERY_BEAT_SCHEDULE = {
    "count-items-hourly": {
        "task": "tenancy.for_each_tenant",
        "schedule": 3600,
        "args": ("{{ cookiecutter.project_slug }}.items.tasks.count_items", [0]),
    },
}
{%- endif %}

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# The demo WebSocket refuses anonymous users unless this is on.
ITEMS_ALLOW_ANONYMOUS = env.bool("ITEMS_ALLOW_ANONYMOUS", default=False)

# Auth, i18n, static files -----------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
