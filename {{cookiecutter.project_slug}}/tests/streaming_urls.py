"""A tenant URLconf with a streamed response, whose body is made after the middleware ran."""

from django.http import StreamingHttpResponse
from django.urls import path

from {{ cookiecutter.project_slug }}.items.models import Item


def stream_items(request):
    texts = (f"{text}\n" for text in Item.objects.values_list("text", flat=True).iterator())
    return StreamingHttpResponse(texts, content_type="text/plain")


urlpatterns = [path("api/items/stream/", stream_items)]
