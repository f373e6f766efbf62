"""Thumbnails of sellers' product images, made when an image lands in the media bucket
(S3 ObjectCreated on ``uploads/``, catalog/template.yaml).

Each image is opened with Pillow (a well-kept imaging library; it is in the layer already,
fpdf2 draws labels with it), turned upright by its EXIF orientation, fitted inside each of
``listing.THUMBNAIL_SIZES`` (aspect kept, never enlarged) and written as WebP next to the
others under ``thumbnails/``. A file that is not an image Pillow can read, or one too large
to decode safely, gets no thumbnail and is logged; the listing's image check refuses it
anyway (its first bytes). Making a thumbnail again overwrites it with the same picture, so
S3's at-least-once notifications are harmless.
"""

from __future__ import annotations

import io
from urllib.parse import unquote_plus

from PIL import Image, ImageOps, UnidentifiedImageError

from catalog import listing
from titan.aws import client
from titan.observability import logger, observed

#: Decoding refuses images of more pixels than this (a small file can claim a huge canvas).
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def thumbnails(data: bytes) -> dict[int, bytes]:
    """WebP thumbnails of an image's bytes by size (pixels of the longer side at most).
    Raises ValueError when ``data`` is not an image Pillow reads, or is too large."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
        raise ValueError(f"not a readable image: {exc}") from exc
    if upright.mode not in ("RGB", "RGBA"):
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    made = {}
    for size in listing.THUMBNAIL_SIZES:
        copy = upright.copy()
        copy.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        copy.save(out, "WEBP", quality=82, method=4)
        made[size] = out.getvalue()
    return made


@observed
def handler(event: dict, _context) -> dict:
    """S3 ObjectCreated records → thumbnails written. ``{"made": n, "skipped": n}``."""
    s3 = client("s3")
    made = skipped = 0
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        if not key.startswith("uploads/"):
            continue
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        try:
            sizes = thumbnails(body)
        except ValueError as exc:
            logger.warning("no thumbnail", extra={"key": key, "reason": str(exc)})
            skipped += 1
            continue
        for size, data in sizes.items():
            s3.put_object(
                Bucket=bucket,
                Key=listing.thumbnail_key(key, size),
                Body=data,
                ContentType="image/webp",
                CacheControl="public, max-age=31536000, immutable",
            )
        made += 1
    return {"made": made, "skipped": skipped}
