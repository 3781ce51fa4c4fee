from django.db import models


class Item(models.Model):
    """A line of text; each tenant's items live in its own schema."""

    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.text

    def as_frame(self) -> dict:
        """The item as the WebSocket protocol sends it."""
        return {"id": self.id, "text": self.text}
