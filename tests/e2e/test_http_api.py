"""The API as its users call it: over HTTP, through API Gateway, at the URL `make up` prints."""

import requests


def test_health_answers_with_the_deployed_version(api_url):
    response = requests.get(f"{api_url}/health", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "ok" and body["version"].startswith("0.1.0")


def test_readiness_lists_its_checks(api_url):
    body = requests.get(f"{api_url}/health/ready", timeout=30).json()
    assert body["status"] == "ready"
    assert all(check["ok"] and check["latency_ms"] >= 0 for check in body["checks"])


def test_unknown_paths_are_404_problem_json(api_url):
    for method in ("GET", "POST", "DELETE"):
        response = requests.request(method, f"{api_url}/no/such/thing", timeout=30)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "ROUTE_NOT_FOUND"


def test_the_openapi_document_describes_the_api(api_url):
    document = requests.get(f"{api_url}/openapi.json", timeout=30).json()
    assert document["info"]["title"] == "Titan Commerce API"
    assert "/health" in document["paths"] and "/health/ready" in document["paths"]


def test_swagger_ui_is_served_self_contained(api_url):
    response = requests.get(f"{api_url}/docs", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in response.text
    assert "unpkg.com" not in response.text  # works offline


def test_cors_preflight_allows_browser_clients(api_url):
    response = requests.options(
        f"{api_url}/health",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization,Idempotency-Key",
        },
        timeout=30,
    )
    assert response.status_code in (200, 204)
    assert response.headers.get("Access-Control-Allow-Origin") == "*"
    assert "Idempotency-Key" in response.headers.get("Access-Control-Allow-Headers", "")


def test_a_new_context_is_routed_through_its_nested_stack(api_url):
    """The shipping context: its own template, its route in code, nothing else wired by hand."""
    query = "fromZip=13023&toZip=20010-000&weightGrams=1200&lengthCm=30&heightCm=20&widthCm=10"
    response = requests.get(f"{api_url}/shipping/quotes?{query}", timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["zone"] == "REGIONAL" and body["billableWeightGrams"] == 1200
    assert {o["service"] for o in body["options"]} >= {"POST_STANDARD", "MARKET"}
    refused = requests.get(f"{api_url}/shipping/quotes?fromZip=1", timeout=30)
    assert refused.status_code == 400
    assert refused.headers["Content-Type"] == "application/problem+json"
