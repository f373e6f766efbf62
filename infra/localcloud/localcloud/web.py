"""The web front on the local cloud: published to the stack's WebBucket and served by
LocalStack's S3 website endpoint at ``http://<bucket>.s3-website.localhost:<port>/``
(browsers resolve every ``*.localhost`` name to the loopback address by themselves)."""

from __future__ import annotations

import sys

from localcloud import cloud

sys.path.insert(0, str(cloud.ROOT / "infra" / "tools"))
import web_site


def publish(outputs: dict[str, str]) -> str:
    """Upload web/dist and its config.json (the local API and WebSocket URLs); the site's
    URL (``WebUrl`` in outputs.json). Raises FileNotFoundError when the site was not built
    (``make web``)."""
    web_site.publish(
        cloud.client("s3"),
        outputs["WebBucketName"],
        {"apiUrl": outputs["ApiUrl"], "webSocketUrl": outputs.get("WebSocketUrl")},
    )
    return outputs["WebUrl"]
