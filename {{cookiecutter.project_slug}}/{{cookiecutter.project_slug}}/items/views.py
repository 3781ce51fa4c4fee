{% if cookiecutter.celery_broker != "none" -%}
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from .consumers import LATEST_ITEMS, MAX_JOB_SECONDS
from .models import Item
from .tasks import count_items
{%- else -%}
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render

from .consumers import LATEST_ITEMS
from .models import Item
{%- endif %}


def home(request):
    """The tenant's live page: its items over the WebSocket, as they are added."""
    if not (request.user.is_authenticated or settings.ITEMS_ALLOW_ANONYMOUS):
{%- if cookiecutter.tenant_resolution == "header" %}
        # The sign-in page must name the tenant too.
        login_url = f"{settings.LOGIN_URL}?tenant={request.tenant.schema_name}"
        return redirect_to_login(request.get_full_path(), login_url)
{%- else %}
        return redirect_to_login(request.get_full_path())
{%- endif %}
    return render(request, "items/home.html", {"jobs_enabled": {{ "False" if cookiecutter.celery_broker == "none" else "True" }}})


def refuse_anonymous(view):
    """The WebSocket's rule over HTTP too: anonymous users only if ITEMS_ALLOW_ANONYMOUS."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not (request.user.is_authenticated or settings.ITEMS_ALLOW_ANONYMOUS):
            return JsonResponse({"error": "sign in first"}, status=403)
        return view(request, *args, **kwargs)

    return checked


@refuse_anonymous
def item_list(request):
    """The tenant's latest items, as the WebSocket sends them on connect."""
    return JsonResponse({"items": [item.as_frame() for item in Item.objects.all()[:LATEST_ITEMS]]})
{%- if cookiecutter.celery_broker != "none" %}


@require_POST
@refuse_anonymous
def start_job(request):
    """Queue the demo job for the request's tenant; its result reaches the tenant's sockets."""
    try:
        seconds = float(request.POST.get("seconds", "0"))
    except ValueError:
        seconds = -1
    if not 0 <= seconds <= MAX_JOB_SECONDS:
        return JsonResponse({"error": f"seconds must be from 0 to {MAX_JOB_SECONDS}"}, status=400)
    return JsonResponse({"job_id": count_items.delay(seconds).id}, status=202)
{%- endif %}
