from django.urls import path

from .consumers import ItemsConsumer

websocket_urlpatterns = [
    path("ws/items/", ItemsConsumer.as_asgi()),
]
