"""Files people upload straight to S3 with a presigned POST, and the check that a key a
request names is one the caller uploaded.

The form's policy fixes the key (under ``uploads/<ownerId>/``), the content type and the
largest size, so S3 itself refuses anything else; the check afterwards reads the object's
head and its first bytes (a JPEG must start like one), since a form may go unused, a key be
made up, or a file be sent under another type.
"""

from __future__ import annotations

from titan.aws import signing_s3
from titan.errors import Unprocessable
from titan.ids import new_id

#: Seconds a presigned upload form stays valid.
UPLOAD_SECONDS = 900
#: The pictures people upload (product images, review photos, logos) by content type, with
#: the extension their keys get.
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def upload_form(
    bucket: str, owner_id: str, id_prefix: str, content_type: str, extension: str, size: int
) -> dict:
    """A presigned POST form for one file of ``content_type`` and at most ``size`` bytes:
    ``{url, fields, key, expiresIn}`` (``key`` = ``uploads/<owner_id>/<new id>.<extension>``)."""
    key = f"uploads/{owner_id}/{new_id(id_prefix)}.{extension}"
    form = signing_s3().generate_presigned_post(
        bucket,
        key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, size]],
        ExpiresIn=UPLOAD_SECONDS,
    )
    return {"url": form["url"], "fields": form["fields"], "key": key, "expiresIn": UPLOAD_SECONDS}


def check_uploads(
    bucket: str,
    owner_id: str,
    keys: list[str],
    types: set[str] | dict[str, str],
    max_bytes: int,
    what: str,
) -> None:
    """Each key must be an upload of ``owner_id``: under ``uploads/<owner_id>/``, present, of
    one of ``types``, at most ``max_bytes``. ``what`` names the file in problems ("photo",
    "attachment"). Raises Unprocessable ``<WHAT>_NOT_FOUND`` or ``<WHAT>_INVALID``."""
    code = what.upper()
    for key in keys:
        missing = Unprocessable(f"No {what} {key} of yours was uploaded.", code=f"{code}_NOT_FOUND")
        if not key.startswith(f"uploads/{owner_id}/"):
            raise missing
        try:
            head = signing_s3().head_object(Bucket=bucket, Key=key)
        except signing_s3().exceptions.ClientError as exc:
            raise missing from exc
        invalid = Unprocessable(
            f"The {what} {key} is not of an accepted type and size.", code=f"{code}_INVALID"
        )
        if head.get("ContentType") not in types or head["ContentLength"] > max_bytes:
            raise invalid
        if not _looks_like(bucket, key, head["ContentType"]):
            raise invalid


#: The first bytes of each type's files (its "magic number"): a client can declare any
#: Content-Type, the bytes say what was uploaded.
SIGNATURES = {
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/png": lambda head: head.startswith(b"\x89PNG"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "application/pdf": lambda head: head.startswith(b"%PDF"),
}


def _looks_like(bucket: str, key: str, content_type: str) -> bool:
    """True when the object's first bytes are those of ``content_type`` (or the type has no
    known signature)."""
    check = SIGNATURES.get(content_type)
    if check is None:
        return True
    first = signing_s3().get_object(Bucket=bucket, Key=key, Range="bytes=0-11")["Body"].read()
    return check(first)
