"""Settings for the test suite.

Every run gets its own database, cache prefix and channel-layer prefix, so runs of several
projects (or of one project twice) against the same servers never see each other's data.
The run id travels in the environment, so server and worker processes that a test starts
share the run's database.
"""

import os
import uuid

os.environ.setdefault("DJANGO_SECRET_KEY", "insecure-key-for-tests-only")
os.environ.setdefault("DJANGO_EMBEDDED_SERVICES", "true")
RUN_ID = os.environ.setdefault("TEST_RUN_ID", uuid.uuid4().hex[:8])

from .settings import *  # noqa: E402, F403
from .settings import CACHES{% if cookiecutter.channel_layer == "redis" %}, CHANNEL_LAYERS{% endif %}, DATABASES  # noqa: E402

DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{RUN_ID}"}
CACHES["default"]["KEY_PREFIX"] = f"test-{RUN_ID}"
{%- if cookiecutter.channel_layer == "redis" %}
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"test-{RUN_ID}"
{%- endif %}
{%- if cookiecutter.celery_broker != "none" %}
# The run's own queue, so the workers of other runs never take its tasks.
CELERY_TASK_DEFAULT_QUEUE = f"test-{RUN_ID}"
CELERY_IMPORTS = ["tests.celery_tasks"]
{%- endif %}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = [".{{ cookiecutter.domain_name }}", "localhost", "127.0.0.1"]
