{% if cookiecutter.celery_broker != "none" -%}
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from .consumers import LATEST_ITEMS, MAX_JOB_SECONDS
from .models import Item
from .tasks import count_items
{%- else -%}
from django.http import JsonResponse

from .consumers import LATEST_ITEMS
from .models import Item
{%- endif %}


def item_list(request):
    """The tenant's latest items, as the WebSocket sends them on connect."""
    return JsonResponse({"items": [item.as_frame() for item in Item.objects.all()[:LATEST_ITEMS]]})
{%- if cookiecutter.celery_broker != "none" %}


@require_POST
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
