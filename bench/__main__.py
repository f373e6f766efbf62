"""``make bench``: measure the platform on the local cloud and print the figures.

- cold-start import time of each handler in template.yaml: a fresh Python 3.12 process with
  only the built function code and the built layer on sys.path and no bytecode written, as
  Lambda runs it, median of 5 runs, in ms;
- warm latency through API Gateway (p50/p95 in ms) of the public routes;
- DynamoDB conditional writes per second on one hot item through the local cloud (8 client
  threads), UpdateItem and TransactWriteItems;
- a flash sale: 2,000 purchase attempts for 100 units from 50 clients on the service layer
  and from 8 over HTTP (reservations/s, p50/p95), see ``bench/flash_sale.py``;
- logistics over HTTP: quote and cart shipping options p50/p95, carriers' signed tracking
  webhooks per second, see ``bench/logistics.py``;
- refunds/s and ledger-post p50/p95 on the service layer, see ``bench/refunds.py``;
- reviews over HTTP: submit p50/p95, a product read with its rating p50/p95, the bulk
  import's reviews per second, see ``bench/reviews.py``;
- the seller center over HTTP: listing create p50/p95, a listing's and a shop's read,
  the dashboard's read, see ``bench/sellers.py``;
- the web front in headless Chromium: the first load's JavaScript (gzip) and the time to
  the home page's departments, a search's first result and a product's offers, see
  ``bench/web.py``;
- chat through the WebSocket API: message latency sender → receiver p50/p95, 250
  connections held and one message fanned out to them, see ``bench/chat.py``;
- TransactWriteItems latency as the table grows (0, 1k, 5k items): flat since the extension
  rolls back item by item instead of copying the table;
- a flash crowd: 50 HTTP clients for 2 minutes on flash-sale reservations, then on checkout,
  with the cloud's workers and memory sampled, see ``bench/crowd.py``;
- notifications: messages and deliveries (e-mail, SMS, push) per second from events on the
  bus, see ``bench/notifications.py``;
- on request only (``SECTIONS=soak``): 30 minutes of mixed traffic with the cloud's memory,
  threads and mappings sampled, see ``bench/soak.py``.

``python -m bench [section ...]`` runs some sections only (``SECTIONS`` lists them). Starts
the local cloud if it is not running (and stops it again), deploys the current code if it
changed since the last deploy.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from botocore.exceptions import ClientError

from bench import (
    chat,
    checkout,
    crowd,
    flash_sale,
    logistics,
    notifications,
    refunds,
    reviews,
    sellers,
    soak,
    web,
)
from figures import percentile
from localcloud import cloud as local
from localcloud import seed
from template_env import placeholder_environment, template_files

ROOT = Path(__file__).resolve().parents[1]


def _timed(call, n: int) -> tuple[float, float]:
    """p50 and p95 in ms of ``n`` sequential calls."""
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return percentile(samples, 50), percentile(samples, 95)


def handlers() -> list[str]:
    """Every function's handler, in the root template and the contexts' templates."""
    return sorted(
        {
            handler
            for path in template_files()
            for handler in re.findall(r"^\s+Handler:\s+(\S+)", path.read_text(), re.M)
        }
    )


def cold_import_ms(handler: str, runs: int = 5) -> float:
    """Median ms to import ``handler``'s module as Lambda does on a cold start: a fresh
    Python 3.12 with only the built function code and the built layer on ``sys.path``, and
    no bytecode written (Lambda's file system is read-only: what the build did not compile is
    compiled again on every cold start)."""
    module = handler.rsplit(".", 1)[0]
    build = ROOT / ".aws-sam" / "build"
    code = next(build.glob("*/*Function"))  # every function ships the same functions/ tree
    paths = [str(code), str(build / "SharedLayer" / "python")]
    script = (
        f"import sys, time; sys.path[0:0] = {paths!r}; t = time.perf_counter(); "
        f"import importlib; importlib.import_module({module!r}); "
        "print((time.perf_counter() - t) * 1000)"
    )
    env = {
        **placeholder_environment(),
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "Titan",
        "EVENT_BUS_NAME": "bench",
        "IDEMPOTENCY_TABLE": "bench",
    }
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [str(local.LAMBDA_PYTHON), "-S", "-c", script],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(float(out.stdout.strip()))
    return statistics.median(samples)


def http_latency(url: str, n: int = 300) -> tuple[float, float]:
    session = requests.Session()
    for _ in range(10):
        session.get(url, timeout=30)
    return _timed(lambda: session.get(url, timeout=30).raise_for_status(), n)


def _table(ddb, items: int = 0) -> str:
    name = f"bench-{time.time_ns()}"
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "hot"}, "stock": {"N": str(10**9)}})
    for start in range(0, items, 25):
        ddb.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {"pk": {"S": f"filler-{i}"}, "pad": {"S": "x" * 200}}}}
                    for i in range(start, min(items, start + 25))
                ]
            }
        )
    return name


UPDATE = {
    "Key": {"pk": {"S": "hot"}},
    "UpdateExpression": "SET stock = stock - :one",
    "ConditionExpression": "stock >= :one",
    "ExpressionAttributeValues": {":one": {"N": "1"}},
}


def _transact(ddb, name: str, key: str) -> None:
    ddb.transact_write_items(
        TransactItems=[
            {"Update": {"TableName": name, **UPDATE}},
            {
                "Put": {
                    "TableName": name,
                    "Item": {"pk": {"S": key}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
    )


def writes_per_second(
    ddb, name: str, transactional: bool, threads: int = 8, each: int = 150
) -> float:
    def work(t: int) -> None:
        for i in range(each):
            try:
                if transactional:
                    _transact(ddb, name, f"r-{t}-{i}-{time.time_ns()}")
                else:
                    ddb.update_item(TableName=name, **UPDATE)
            except ClientError:
                pass

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    began = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return threads * each / (time.perf_counter() - began)


def transact_ms(ddb, name: str, n: int = 100) -> float:
    return _timed(lambda: _transact(ddb, name, f"t-{time.time_ns()}"), n)[0]


def identity_figures(api: str) -> None:
    import json
    import uuid

    session = requests.Session()
    email, password = f"bench-{uuid.uuid4().hex[:8]}@example.com", "orbit lantern 4821"
    session.post(
        f"{api}/auth/register",
        json={"email": email, "password": password, "name": "Load Tester"},
        timeout=30,
    ).raise_for_status()

    def login() -> dict:
        response = session.post(
            f"{api}/auth/login", json={"email": email, "password": password}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    token = login()["accessToken"]
    p50, p95 = _timed(login, 50)
    print(f"  POST /auth/login (argon2id verify)  p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    headers = {"Authorization": f"Bearer {token}"}
    p50, p95 = _timed(lambda: session.get(f"{api}/me", headers=headers, timeout=30), 200)
    print(f"  GET /me (authorizer result cached)  p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    lam = local.client("lambda")
    name = local.stack_functions()["AuthorizerFunction"]
    event = json.dumps(
        {
            "type": "TOKEN",
            "authorizationToken": f"Bearer {token}",
            "methodArn": "arn:aws:execute-api:us-east-1:000000000000:x/local/GET/me",
        }
    )
    p50, p95 = _timed(lambda: lam.invoke(FunctionName=name, Payload=event)["Payload"].read(), 200)
    print(f"  authorizer invoke, warm (verify ES256) p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    hash_ms = hashing_ms()
    print(f"  argon2id hash (m=19 MiB, t=2, p=1), this machine: {hash_ms:.0f} ms")


def hashing_ms() -> float:
    code = (
        "import time; from argon2 import PasswordHasher; h = PasswordHasher(time_cost=2, "
        "memory_cost=19 * 1024, parallelism=1); t = time.perf_counter(); "
        "[h.hash('orbit lantern 4821') for _ in range(20)]; "
        "print((time.perf_counter() - t) * 50)"
    )
    out = subprocess.run(
        [str(local.LAMBDA_PYTHON), "-c", code], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def catalog_figures(outputs: dict) -> None:
    from localcloud import seed

    api = outputs["ApiUrl"]
    before = requests.get(f"{api}/categories", timeout=30).json()["productCount"]
    kind = "re-import, every row unchanged" if before else "first import into an empty catalog"
    print(f"  Olist catalog import through the API ({kind}):")
    began = time.perf_counter()
    seed.import_catalog(outputs)
    print(f"  whole catalog: {time.perf_counter() - began:.1f} s")
    seed.wait_for_search_index(outputs)
    for path in (
        "/categories",
        "/products/1e9e8ef04dbcff4541ed26657ea517e5",
        "/products?category=perfumery",
        "/products?department=home&sort=price_asc&limit=50",
        "/products?minPrice=5000&maxPrice=10000&sort=price_desc",
        "/search?q=perfume",
        "/search?q=cama%20mesa%20banho",
        "/search?q=eletronicos&sort=price_asc",
    ):
        p50, p95 = http_latency(f"{api}{path}", 200)
        print(f"  GET {path:<52} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")


def foundation(outputs: dict) -> None:
    api = outputs["ApiUrl"]
    print("Cold-start import time per handler (fresh process, median of 5):")
    for handler in handlers():
        print(f"  {handler:<40} {cold_import_ms(handler):8.1f} ms")
    print("\nWarm latency through API Gateway (300 sequential requests):")
    for path in ("/health", "/health/ready"):
        p50, p95 = http_latency(api + path)
        print(f"  GET {path:<36} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")


def catalog(outputs: dict) -> None:
    print("Catalog:")
    catalog_figures(outputs)


def identity(outputs: dict) -> None:
    print("Identity (through API Gateway and the token authorizer):")
    identity_figures(outputs["ApiUrl"])


def checkouts(outputs: dict) -> None:
    api = outputs["ApiUrl"]
    print("Checkout (POST /checkout: API Gateway, Lambda, Step Functions EXPRESS):")
    p50, p95 = checkout.http_latency(api, seed.admin_token(api, outputs))
    print(f"  POST /checkout, 30 in a row    p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    print("Per checkout (counted in-process on moto, 10 checkouts of a 2-line cart):")
    counted = subprocess.run(
        [sys.executable, "-m", "bench.checkout"], capture_output=True, text=True, check=True
    )
    print(counted.stdout.rstrip())


def flash_sales(outputs: dict) -> None:
    api = outputs["ApiUrl"]
    print("Flash sale, 50 clients on the service layer (local cloud DynamoDB only):")
    print("\n".join(flash_sale.direct_race()))
    print("Flash sale over HTTP (API Gateway, authorizer, Lambda, DynamoDB):")
    print("\n".join(flash_sale.http_race(api, seed.admin_token(api, outputs))))


def crowds(outputs: dict) -> None:
    api, pid = outputs["ApiUrl"], local.running_pid()
    print(f"A flash crowd over HTTP ({crowd.CLIENTS} clients, {crowd.SECONDS:.0f} s each):")
    print("Reservations, POST /flash-sales/{saleId}/reservations:")
    print("\n".join(crowd.reservation_crowd(api, seed.admin_token(api, outputs), pid)))
    print("Checkouts, POST /cart/items then POST /checkout:")
    print("\n".join(crowd.checkout_crowd(api, seed.admin_token(api, outputs), pid)))


def soaking(outputs: dict) -> None:
    api = outputs["ApiUrl"]
    print(f"Soak: mixed traffic for {soak.SECONDS / 60:.0f} minutes ({soak.CLIENTS} clients):")
    print("\n".join(soak.soak(api, seed.admin_token(api, outputs), local.running_pid())))


def logistic(outputs: dict) -> None:
    print("Logistics (over HTTP: API Gateway, Lambda, DynamoDB):")
    print("\n".join(logistics.figures(outputs, seed.admin_token(outputs["ApiUrl"], outputs))))


def reviewing(outputs: dict) -> None:
    print("Reviews (over HTTP: API Gateway, Lambda, DynamoDB):")
    print("\n".join(reviews.figures(outputs, seed.admin_token(outputs["ApiUrl"], outputs))))


def selling(outputs: dict) -> None:
    print("Seller center (over HTTP: API Gateway, Lambda, DynamoDB, S3):")
    print("\n".join(sellers.figures(outputs, seed.admin_token(outputs["ApiUrl"], outputs))))


def web_front(outputs: dict) -> None:
    print("Web front (headless Chromium, the site on the local cloud's S3 website):")
    print("\n".join(web.figures(outputs)))


def chatting(outputs: dict) -> None:
    print("Chat (a real WebSocket client through the local cloud's WebSocket API):")
    token = seed.admin_token(outputs["ApiUrl"], outputs)
    print("\n".join(chat.figures(outputs, token, local.running_pid())))


def notifying(outputs: dict) -> None:
    print("Notifications (events → inbox, and e-mail, SMS and push through SES and SNS):")
    print("\n".join(notifications.figures(outputs)))


def ledger(_outputs: dict) -> None:
    print("Refunds and the ledger (service layer, local cloud DynamoDB only):")
    print("\n".join(refunds.figures()))


def dynamodb(_outputs: dict) -> None:
    ddb = local.client("dynamodb", max_pool_connections=16)
    name = _table(ddb)
    print("DynamoDB conditional writes on one hot item (8 client threads):")
    print(f"  UpdateItem          {writes_per_second(ddb, name, False):8.0f} ops/s")
    print(f"  TransactWriteItems  {writes_per_second(ddb, name, True):8.0f} ops/s")
    ddb.delete_table(TableName=name)
    print("\nTransactWriteItems p50 latency by table size (moto alone copies the table):")
    for size in (0, 1000, 5000):
        name = _table(ddb, size)
        print(f"  {size:>5} items  {transact_ms(ddb, name):7.1f} ms")
        ddb.delete_table(TableName=name)


#: ``python -m bench [section ...]`` (``make bench SECTIONS="crowd checkout"``): in this order.
SECTIONS = {
    "foundation": foundation,
    "catalog": catalog,
    "identity": identity,
    "checkout": checkouts,
    "flash-sale": flash_sales,
    "logistics": logistic,
    "reviews": reviewing,
    "sellers": selling,
    "web": web_front,
    "chat": chatting,
    "notifications": notifying,
    "ledger": ledger,
    "dynamodb": dynamodb,
    "crowd": crowds,
    "soak": soaking,
}
#: Sections a plain ``make bench`` leaves out (they take half an hour).
ON_REQUEST = {"soak"}


def main(argv: list[str]) -> None:
    unknown = [name for name in argv if name not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    started_here = not local.healthy()
    local.start()
    try:
        outputs = local.deploy_if_changed()
        print(f"\nTitan Commerce benchmarks (local cloud, {os.cpu_count()} cores)\n")
        for name, section in SECTIONS.items():
            if name in argv or (not argv and name not in ON_REQUEST):
                section(outputs)
                print()
    finally:
        if started_here:
            local.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
