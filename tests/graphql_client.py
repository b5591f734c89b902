"""A GraphQL client over the real ASGI app, the way a front end calls it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

DEMO_PASSWORD = "correct horse battery staple"

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token idleExpiresAt viewer { userId } errors { code message field } }
}
"""


@dataclass
class Response:
    status: int
    body: dict[str, Any]
    headers: httpx.Headers

    @property
    def data(self) -> dict[str, Any] | None:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    def error_codes(self) -> list[str | None]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    def ok(self) -> dict[str, Any]:
        """The data, asserting there was no top-level error."""
        assert self.status == 200, self.body
        assert not self.errors, self.errors
        assert self.data is not None
        return self.data


class GraphQLClient:
    def __init__(
        self, http: httpx.AsyncClient, token: str | None = None, user_id: str = ""
    ) -> None:
        self.http = http
        self.token = token
        self.user_id = user_id

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> Response:
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return Response(response.status_code, response.json(), response.headers)

    async def login(self, user_id: str, password: str = DEMO_PASSWORD) -> GraphQLClient:
        result = await GraphQLClient(self.http).execute(
            LOGIN, {"input": {"userId": user_id, "password": password}}
        )
        payload = result.ok()["login"]
        assert payload["errors"] == [], payload["errors"]
        return GraphQLClient(self.http, payload["token"], user_id)
