"""Meta context: health and the API's documentation (OpenAPI + Swagger UI)."""
