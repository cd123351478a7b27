"""The REST API (``/api/v1/``): authentication by token, JSON errors, Idempotency-Key, pagination and the
resources (appeals.py, resources_*.py); appeal submission lives in minyi/appeals/api.py, which predates
this package. Every view calls the same rule functions as the pages."""
