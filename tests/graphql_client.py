"""A GraphQL client over the real ASGI app, the way a front end calls it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pyotp

from entitle.demo import DEMO_ANSWERS, DEMO_TOTP_SECRET

DEMO_PASSWORD = "correct horse battery staple"

STEP_FIELDS = """
  step token expiresAt idleExpiresAt deviceToken termsVersion
  securityQuestion { code text } securityQuestionChoices { code }
  mfaEnrollment { secret otpauthUri }
  viewer { userId } errors { code message field }
"""
LOGIN = f"""
mutation Login($input: LoginInput!) {{ login(input: $input) {{ {STEP_FIELDS} }} }}
"""
STEP_MUTATIONS = {
    "ACCEPT_TERMS": ("signInAcceptTerms", "SignInAcceptTermsInput"),
    "SET_SECURITY_QUESTIONS": ("signInSetSecurityQuestions", "SignInSetSecurityQuestionsInput"),
    "ANSWER_SECURITY_QUESTION": (
        "signInAnswerSecurityQuestion",
        "SignInAnswerSecurityQuestionInput",
    ),
    "ENROLL_MFA": ("signInEnrollMfa", "SignInMfaInput"),
    "VERIFY_MFA": ("signInVerifyMfa", "SignInMfaInput"),
}


def step_mutation(step: str) -> tuple[str, str]:
    """The mutation that answers `step`, and its name."""
    name, input_type = STEP_MUTATIONS[step]
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {STEP_FIELDS} }} }}", name


def persona_device(user_id: str) -> str:
    """The device token of a device the test seed made trusted for `user_id`, with its
    question and MFA fresh at the seed's time: personas sign in with the password alone,
    as on a browser they use every day."""
    return f"test-device-{user_id}"


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
        self,
        http: httpx.AsyncClient,
        token: str | None = None,
        user_id: str = "",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.http = http
        self.token = token
        self.user_id = user_id
        self.now = now  # the server's clock, to compute TOTP codes as an app would

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> Response:
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return Response(response.status_code, response.json(), response.headers)

    async def login(
        self,
        user_id: str,
        password: str = DEMO_PASSWORD,
        device_token: str | None = "",
    ) -> GraphQLClient:
        """Sign in as a demo person would, answering the steps that come up (the demo
        answers, the demo TOTP secret). `device_token` defaults to the persona's test
        device; None signs in from a new device."""
        device = persona_device(user_id) if device_token == "" else device_token
        anonymous = GraphQLClient(self.http, now=self.now)
        payload = await anonymous.step(
            LOGIN, "login", {"userId": user_id, "password": password, "deviceToken": device}
        )
        while payload["step"] != "DONE":
            payload = await anonymous.answer(payload)
        return GraphQLClient(self.http, payload["token"], user_id, now=self.now)

    async def step(self, query: str, name: str, input: dict[str, Any]) -> dict[str, Any]:
        payload = (await self.execute(query, {"input": input})).ok()[name]
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def answer(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Answer one sign-in step as the demo person."""
        query, name = step_mutation(payload["step"])
        token = payload["token"]
        if payload["step"] == "ACCEPT_TERMS":
            return await self.step(query, name, {"token": token, "accept": True})
        if payload["step"] == "ANSWER_SECURITY_QUESTION":
            answer = DEMO_ANSWERS[payload["securityQuestion"]["code"]]
            return await self.step(query, name, {"token": token, "answer": answer})
        if payload["step"] == "VERIFY_MFA":
            assert self.now is not None, "TOTP codes need the server's clock"
            code = pyotp.TOTP(DEMO_TOTP_SECRET).at(self.now())
            return await self.step(query, name, {"token": token, "code": code})
        if payload["step"] == "ENROLL_MFA":  # an account that has just become an admin
            assert self.now is not None, "TOTP codes need the server's clock"
            code = pyotp.TOTP(payload["mfaEnrollment"]["secret"]).at(self.now())
            return await self.step(query, name, {"token": token, "code": code})
        raise AssertionError(f"a demo person never meets {payload['step']}")
