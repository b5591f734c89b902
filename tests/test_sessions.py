"""Sign-in, first cut: login, logout, idle expiry (AUTH-5), hashed secrets."""

from __future__ import annotations

from entitle.models import Account, AuditEvent, Session
from entitle.services import tokens
from tests.graphql_client import DEMO_PASSWORD, LOGIN, GraphQLClient, persona_device
from tests.mutations import account_gid, mutate
from tests.test_organization_saa import loses_its_saa, set_saa

VIEWER = "{ viewer { userId } }"
LOGOUT = "mutation($input: LogoutInput) { logout(input: $input) { errors { code } } }"
REMEMBERED = "query($d: String!) { rememberedAccounts(deviceToken: $d) { userId signedIn } }"


async def _login(client: GraphQLClient, user_id: str, password: str) -> dict:
    """The password step from the persona's everyday device, where it is the only step."""
    device = persona_device(user_id.strip().lower())
    result = await client.execute(
        LOGIN, {"input": {"userId": user_id, "password": password, "deviceToken": device}}
    )
    return result.ok()["login"]


async def test_login_answers_a_bearer_token_that_reads_the_viewer(anonymous):
    payload = await _login(anonymous, "saa.alpha", DEMO_PASSWORD)
    assert payload["errors"] == []
    assert payload["viewer"] == {"userId": "saa.alpha"}
    signed_in = GraphQLClient(anonymous.http, payload["token"])
    assert (await signed_in.execute(VIEWER)).ok() == {"viewer": {"userId": "saa.alpha"}}


async def test_login_is_case_insensitive_on_user_id(anonymous):
    payload = await _login(anonymous, "  SAA.Alpha ", DEMO_PASSWORD)
    assert payload["viewer"] == {"userId": "saa.alpha"}


async def test_unknown_user_and_wrong_password_get_the_same_answer(anonymous):
    unknown = await _login(anonymous, "nobody.here", DEMO_PASSWORD)
    wrong = await _login(anonymous, "saa.alpha", "not the password at all")
    assert unknown == wrong
    assert unknown["token"] is None
    assert [e["code"] for e in unknown["errors"]] == ["INVALID_CREDENTIALS"]


async def test_deleted_and_draft_accounts_cannot_sign_in(anonymous):
    for user_id in ("former.alpha", "draft.alpha", "m2m.alpha"):
        payload = await _login(anonymous, user_id, DEMO_PASSWORD)
        assert [e["code"] for e in payload["errors"]] == ["INVALID_CREDENTIALS"], user_id


async def test_a_megabyte_password_is_refused_without_hashing(anonymous):
    payload = await _login(anonymous, "saa.alpha", "x" * 1_000_000)
    assert [e["code"] for e in payload["errors"]] == ["INVALID_CREDENTIALS"]


async def test_passwords_and_tokens_are_stored_only_as_hashes(anonymous):
    payload = await _login(anonymous, "saa.alpha", DEMO_PASSWORD)
    account = (
        await Account.select(Account.password_hash).where(Account.user_id == "saa.alpha").first()
    )
    assert account["password_hash"].startswith("$argon2id$")
    assert DEMO_PASSWORD not in account["password_hash"]
    hashes = [s["token_hash"] for s in await Session.select(Session.token_hash)]
    assert payload["token"] not in hashes
    assert tokens.digest(payload["token"]) in hashes


async def test_login_records_last_sign_in_acc_10_and_audits(anonymous, clock):
    await _login(anonymous, "user.alpha", DEMO_PASSWORD)
    account = (
        await Account.select(Account.last_sign_in_at).where(Account.user_id == "user.alpha").first()
    )
    assert account["last_sign_in_at"] == clock.now()
    events = await AuditEvent.select().where(AuditEvent.action == "session.login")
    assert [e["actor_label"] for e in events] == ["user.alpha"]


async def test_auth_5_session_ends_after_27_idle_minutes(saa_alpha, clock):
    clock.advance(minutes=26)
    assert (await saa_alpha.execute(VIEWER)).ok()["viewer"] == {"userId": "saa.alpha"}
    # Activity at minute 26 extends the session: 26 more minutes is still inside it.
    clock.advance(minutes=26)
    assert (await saa_alpha.execute(VIEWER)).ok()["viewer"] == {"userId": "saa.alpha"}
    clock.advance(minutes=27, seconds=1)
    assert (await saa_alpha.execute(VIEWER)).ok()["viewer"] is None


async def _remembering(client: GraphQLClient, user_id: str) -> GraphQLClient:
    """Signed in on the persona's device, which remembers the account (AUTH-10)."""
    result = await client.execute(
        LOGIN,
        {
            "input": {
                "userId": user_id,
                "password": DEMO_PASSWORD,
                "deviceToken": persona_device(user_id),
                "rememberAccount": True,
            }
        },
    )
    done = result.ok()["login"]
    assert done["step"] == "DONE", done
    return GraphQLClient(client.http, done["token"])


async def _signed_in(client: GraphQLClient, user_id: str) -> list[tuple[str, bool]]:
    result = await client.execute(REMEMBERED, {"d": persona_device(user_id)})
    return [(r["userId"], r["signedIn"]) for r in result.ok()["rememberedAccounts"]]


async def test_auth_5_a_remembered_account_idle_for_27_minutes_is_not_signed_in(anonymous, clock):
    session = await _remembering(anonymous, "saa.alpha")
    assert await _signed_in(anonymous, "saa.alpha") == [("saa.alpha", True)]
    clock.advance(minutes=27)  # the last moment the session may still be used
    assert await _signed_in(anonymous, "saa.alpha") == [("saa.alpha", True)]
    clock.advance(seconds=1)
    assert await _signed_in(anonymous, "saa.alpha") == [("saa.alpha", False)]
    assert (await session.execute(VIEWER)).ok()["viewer"] is None


async def test_auth_10_a_remembered_account_that_may_not_sign_in_is_not_signed_in(
    anonymous, saa_alpha, operator, fresh
):
    user = await _remembering(anonymous, "user.alpha")
    assert await _signed_in(anonymous, "user.alpha") == [("user.alpha", True)]
    disabled = await mutate(
        saa_alpha, "accountDisable", accountId=await account_gid("user.alpha"), reason="Leave"
    )
    assert disabled["errors"] == []
    assert await _signed_in(anonymous, "user.alpha") == [("user.alpha", False)]
    assert (await user.execute(VIEWER)).ok()["viewer"] is None
    # ORG-6: while the organization has no SAA, its sessions do not work.
    beta = await _remembering(anonymous, "user.beta")
    assert await _signed_in(anonymous, "user.beta") == [("user.beta", True)]
    await loses_its_saa(fresh, "saa.beta")
    assert await _signed_in(anonymous, "user.beta") == [("user.beta", False)]
    assert (await beta.execute(VIEWER)).ok()["viewer"] is None
    assert (await set_saa(operator, "100002", "aa.beta"))["errors"] == []
    assert await _signed_in(anonymous, "user.beta") == [("user.beta", True)]
    assert (await beta.execute(VIEWER)).ok()["viewer"] == {"userId": "user.beta"}


async def test_auth_5_logout_ends_the_session_at_once(saa_alpha):
    assert (await saa_alpha.execute(LOGOUT)).ok()["logout"]["errors"] == []
    assert (await saa_alpha.execute(VIEWER)).ok()["viewer"] is None


async def test_logout_everywhere_ends_every_session_of_the_account(anonymous):
    first = await anonymous.login("aa.alpha")
    second = await anonymous.login("aa.alpha")
    other = await anonymous.login("user.alpha")
    await first.execute(LOGOUT, {"input": {"everywhere": True}})
    assert (await second.execute(VIEWER)).ok()["viewer"] is None
    assert (await other.execute(VIEWER)).ok()["viewer"] == {"userId": "user.alpha"}


async def test_logout_needs_a_session(anonymous):
    result = await anonymous.execute(LOGOUT)
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_a_forged_token_reads_as_signed_out(anonymous):
    forged = GraphQLClient(anonymous.http, "x" * 43)
    assert (await forged.execute(VIEWER)).ok()["viewer"] is None
