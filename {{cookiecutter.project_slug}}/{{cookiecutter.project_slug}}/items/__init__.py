"""The demo app: a tenant's items, listed and created live over a WebSocket."""
