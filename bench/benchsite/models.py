"""The floor's plain table: the demo `Item`'s columns, in `public`, with no tenant in sight."""

from django.db import models

FLOOR_TABLE = "bench_floor_item"


class FloorItem(models.Model):
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Created by `tenants.py` as a copy of the demo table, so both have the same indexes.
        managed = False
        db_table = FLOOR_TABLE
        ordering = ("-created_at", "-id")

    def as_frame(self) -> dict:
        return {"id": self.id, "text": self.text}
