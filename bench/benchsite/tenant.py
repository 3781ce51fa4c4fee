"""(a) Our tenant stack: the baked project's own ASGI application, only counted."""

from config.asgi import application as _application

from .counting import counted

application = counted(_application)
