"""Publish the web front (``web/dist``, built by ``make web``) to the stack's ``WebBucket``,
with the ``config.json`` that tells the pages where the API is.

One implementation for both clouds: ``make up`` calls ``publish`` on the local cloud (the
bucket's website endpoint serves it), and on AWS ``make web-publish STACK=<name>`` reads the
stack's outputs and publishes there (CloudFront serves it)::

    python infra/tools/web_site.py --stack titan-dev [--region us-east-1]

Hashed assets are cached for a year (their names change with their content); ``index.html``
and ``config.json`` are revalidated on every load, so a new release is seen at once. Objects
of an earlier release that the new one does not name are deleted after the upload.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def _content_type(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    if path.suffix == ".js":
        return "text/javascript; charset=utf-8"
    if guessed and guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def publish(s3, bucket: str, config: dict[str, str | None], dist: Path = DIST) -> int:
    """Upload ``dist`` and ``config.json`` (``{apiUrl, webSocketUrl}``) to ``bucket`` with an
    S3 client; returns the number of objects written. Raises FileNotFoundError when the site
    was not built."""
    if not (dist / "index.html").exists():
        raise FileNotFoundError(f"{dist}/index.html: build the site first (make web)")
    keys = set()
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        key = path.relative_to(dist).as_posix()
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=path.read_bytes(),
            ContentType=_content_type(path),
            CacheControl=IMMUTABLE if key.startswith("assets/") else REVALIDATE,
        )
        keys.add(key)
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(config).encode(),
        ContentType="application/json",
        CacheControl=REVALIDATE,
    )
    keys.add("config.json")
    stale = [
        {"Key": item["Key"]}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
        if item["Key"] not in keys
    ]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[start : start + 1000]})
    return len(keys)


def main() -> int:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region")
    args = parser.parse_args()
    session = boto3.Session(region_name=args.region)
    stack = session.client("cloudformation").describe_stacks(StackName=args.stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    written = publish(
        session.client("s3"),
        outputs["WebBucketName"],
        {"apiUrl": outputs["ApiUrl"], "webSocketUrl": outputs.get("WebSocketUrl")},
    )
    print(f"{written} objects published: {outputs['WebUrl']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
