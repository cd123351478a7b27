"""A small API client for tests: each named actor calls the API with its own token, as a script would."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from minyi.api.tokens import create_token

BASE = "/api/v1"


@dataclass
class ApiClient:
    """The test client with ``Authorization: Bearer <key>`` of one user's token."""

    user: User
    key: str
    language: str = "en"
    client: Client = field(default_factory=Client)

    def headers(self, **extra: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.key}", "accept-language": self.language, **extra}

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self.headers(**headers))

    def post(self, path: str, data: Any = None, *, key: str | None = None, **headers: str) -> Any:
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(
            BASE + path,
            json.dumps(data or {}),
            content_type="application/json",
            headers=self.headers(**headers),
        )

    def act(self, number: str | None, action: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.post(f"/appeals/{number}/{action}/", data, **kwargs)

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self.headers())


def api_as(user: User, language: str = "en") -> ApiClient:
    """A client acting as ``user`` through a fresh token."""
    return ApiClient(
        user=user,
        key=create_token(user=user, name=f"test {user.username}", actor=None).key,
        language=language,
    )
