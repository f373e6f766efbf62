"""``python -m localcloud up|start|deploy|reload|seed|web|down|status|logs [-f]|outputs``,
and for ``make test``: ``test-cloud`` (start and deploy for the run ``TITAN_TEST_RUN``) and
``test-cloud-end`` (stop the cloud if that run started it)."""

from __future__ import annotations

import json
import os
import sys
import time

from localcloud import cloud


def _up() -> None:
    began = time.monotonic()
    cloud.start()
    outputs = cloud.deploy_if_changed()
    api = outputs["ApiUrl"]
    print(f"\nAPI deployed in {time.monotonic() - began:.0f} s: {api} (health: {api}/health)")
    print(f"WebSocket API (chat): {outputs.get('WebSocketUrl')}")
    from localcloud import seed, web

    site = web.publish(outputs)
    print(f"Web front: {site}")

    if seed.seeded():
        print("catalog already seeded (make seed imports it again)")
    else:
        seed.run(outputs)
    print(
        f"\nTitan Commerce is up ({time.monotonic() - began:.0f} s).\n"
        f"  Web:        {site} (storefront, #/seller, #/admin)\n"
        f"  API:        {api}\n"
        f"  WebSocket:  {outputs.get('WebSocketUrl')} (token in Authorization or ?token=)\n"
        f"  Swagger UI: {api}/docs\n"
        f"  OpenAPI:    {api}/openapi.json\n"
        f"  Admin:      {outputs.get('AdminEmail')} (password in {cloud.OUTPUTS})\n"
        f"  Outputs:    {cloud.OUTPUTS}\n"
        f"  Try:        curl -s {api}/health\n"
    )


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "up":
        _up()
    elif command == "start":
        cloud.start()
    elif command == "deploy":
        cloud.start()
        print(json.dumps(cloud.deploy(), indent=2))
    elif command == "reload":
        cloud.reload_code()
    elif command == "seed":
        from localcloud import seed

        seed.run(json.loads(cloud.OUTPUTS.read_text()))
    elif command == "web":
        from localcloud import web

        print(web.publish(json.loads(cloud.OUTPUTS.read_text())))
    elif command == "down":
        cloud.stop()
    elif command == "test-cloud":
        outputs = cloud.ready_for_tests(os.environ["TITAN_TEST_RUN"])
        print(f"local cloud ready for tests: {outputs['ApiUrl']}")
    elif command == "test-cloud-end":
        cloud.stop_if_started_by(os.environ["TITAN_TEST_RUN"])
    elif command == "status":
        running = cloud.healthy()
        print(f"local cloud {'up' if running else 'down'} at {cloud.ENDPOINT}")
        return 0 if running else 1
    elif command == "logs":
        cloud.logs(follow="-f" in argv)
    elif command == "outputs":
        print(cloud.OUTPUTS.read_text())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
