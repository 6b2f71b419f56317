"""Small, valid, deterministic JPEG posters."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw

POSTER_SIZE = (135, 200)  # Douban's s_ratio_poster thumbnails are about this size


@lru_cache(maxsize=1024)
def poster_jpeg(poster_id: int) -> bytes:
    """A two-colour poster whose colours follow from the id (same id, same bytes)."""
    background = (poster_id % 200 + 30, poster_id // 200 % 200 + 30, poster_id // 40000 % 200 + 30)
    band = tuple(255 - channel for channel in background)
    image = Image.new("RGB", POSTER_SIZE, background)
    width, height = POSTER_SIZE
    top = poster_id % (height - 40)
    ImageDraw.Draw(image).rectangle((0, top, width, top + 30), fill=band)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()
