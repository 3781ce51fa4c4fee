from django.http import JsonResponse

from .consumers import LATEST_ITEMS
from .models import Item


def item_list(request):
    """The tenant's latest items, as the WebSocket sends them on connect."""
    return JsonResponse({"items": [item.as_frame() for item in Item.objects.all()[:LATEST_ITEMS]]})
