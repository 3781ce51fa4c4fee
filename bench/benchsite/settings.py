"""Settings of every bench process: the baked project's own, isolated per run.

Like the generated `settings_test`, a run gets its own cache and channel-layer prefixes and its
own Celery queue (the database comes from DATABASE_URL), so a bench run never meets a
developer's server or another run on the same Redis.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CACHES, CHANNEL_LAYERS, INSTALLED_APPS

RUN_ID = os.environ["BENCH_RUN_ID"]

# The baked `.env` turns DEBUG on; with it Django keeps every query in memory, which would grow
# the servers under load and bill that to whichever variant sent the most statements.
DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "benchsite"]

CACHES["default"]["KEY_PREFIX"] = f"bench-{RUN_ID}"
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"bench-{RUN_ID}"
CELERY_TASK_DEFAULT_QUEUE = f"bench-{RUN_ID}"
CELERY_IMPORTS = ["benchsite.tasks"]

# Pooling is the project's own (DATABASE_POOL and friends): the unpooled variants turn it off
# through the environment, as a deployment would.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
