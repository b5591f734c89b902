"""SAA requests through the GraphQL endpoint: Replace SAA (REQ-1), Update SAA (REQ-2), the
workflow (REQ-3..REQ-8), visibility and lists (REQ-9, REQ-10), and the signatories they
go to (ORG-5)."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3

import asyncpg
import pytest

from entitle.jobs import runner
from entitle.models import (
    Account,
    AuditEvent,
    Grant,
    OutboxMessage,
    PrivilegeAvailability,
    Request,
    RequestEvent,
    RequestPasscode,
)
from entitle.schema.node import from_global_id, to_global_id
from tests.conftest import START
from tests.factories import organization_id
from tests.mutations import account_gid, codes
from tests.state import unchanged

REQUEST_FIELDS = """
  id type status category organizationName requesterName saaDisposition newSaaName
  newFirstName newLastName newEmail signatoryName signatoryEmail signatoryAddedByHand
  justification1 justification2 signatoryReason operatorReason sentAt completedAt
  history { fromStatus toStatus actor reason }
"""
PAYLOAD = f"request {{ {REQUEST_FIELDS} }} errors {{ code message field }}"


def _mutation(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {PAYLOAD} }} }}"


MUTATIONS = {
    "requestCreate": _mutation("requestCreate", "RequestCreateInput"),
    "requestSave": _mutation("requestSave", "RequestSaveInput"),
    "requestSend": _mutation("requestSend", "RequestIdInput"),
    "requestRecall": _mutation("requestRecall", "RequestIdInput"),
    "requestCancel": _mutation("requestCancel", "RequestIdInput"),
    "requestSignatoryDecide": _mutation("requestSignatoryDecide", "RequestSignatoryDecideInput"),
    "requestReview": _mutation("requestReview", "RequestReviewInput"),
}
SIGNATORY_CREATE = """
mutation($input: AuthorizedSignatoryCreateInput!) {
  authorizedSignatoryCreate(input: $input) {
    signatory { id name title email source } errors { code message field }
  }
}
"""
SIGNATORY_UPDATE = """
mutation($input: AuthorizedSignatoryUpdateInput!) {
  authorizedSignatoryUpdate(input: $input) {
    signatory { id name title email source } errors { code message field }
  }
}
"""
SIGNATORY_DELETE = """
mutation($input: AuthorizedSignatoryDeleteInput!) {
  authorizedSignatoryDelete(input: $input) { errors { code message field } }
}
"""
SIGNATORIES = """
query($org: ID) { authorizedSignatories(organizationId: $org) { id name email source } }
"""
FOR_SIGNATORY = f"query($p: String!) {{ requestForSignatory(passcode: $p) {{ {REQUEST_FIELDS} }} }}"
ONE = "query($id: ID!) { request(id: $id) { id status } }"
LIST = """
query($tab: RequestTab, $filter: RequestFilter, $first: Int) {
  requests(tab: $tab, filter: $filter, first: $first) {
    totalCount
    edges { node { id type status organizationName requesterName newSaaName history { toStatus } } }
  }
}
"""
ALPHA, BETA = "100001", "100002"


async def mutate(client, name: str, **input) -> dict:
    return (await client.execute(MUTATIONS[name], {"input": input})).ok()[name]


async def org_gid(number: str) -> str:
    return to_global_id("Organization", await organization_id(number))


async def add_signatory(operator, number: str, name: str, email: str | None, **extra) -> str:
    payload = (
        await operator.execute(
            SIGNATORY_CREATE,
            {
                "input": {
                    "organizationId": await org_gid(number),
                    "name": name,
                    "title": extra.get("title", "Chief Compliance Officer"),
                    "email": email,
                    "source": extra.get("source", "FORM_BD_SCHEDULE_A"),
                }
            },
        )
    ).ok()["authorizedSignatoryCreate"]
    assert payload["errors"] == [], payload["errors"]
    return payload["signatory"]["id"]


async def draft(client, **details) -> dict:
    payload = await mutate(client, "requestCreate", **details)
    assert payload["errors"] == [], payload["errors"]
    return payload["request"]


async def sent(client, **details) -> dict:
    request = await draft(client, **details)
    payload = await mutate(client, "requestSend", requestId=request["id"])
    assert payload["errors"] == [], payload["errors"]
    return payload["request"]


async def passcode_for(email: str) -> str:
    """The passcode in the latest email to the signatory, read as a person would."""
    messages = (
        await OutboxMessage.select(OutboxMessage.body)
        .where(OutboxMessage.to_address == email)
        .order_by(OutboxMessage.id, ascending=False)
    )
    for message in messages:
        found = re.search(r"Passcode: (\S+)", message["body"])
        if found:
            return found.group(1)
    raise AssertionError(f"no passcode was emailed to {email}")


async def decide(client, passcode: str, decision: str = "APPROVE", **extra) -> dict:
    return await mutate(
        client,
        "requestSignatoryDecide",
        passcode=passcode,
        decision=decision,
        acknowledgeAgreement=extra.pop("acknowledgeAgreement", True),
        **extra,
    )


async def user_type_of(user_id: str) -> tuple[str, str]:
    row = (
        await Account.select(Account.user_type, Account.status)
        .where(Account.user_id == user_id)
        .first()
    )
    return row["user_type"], row["status"]


async def admin_on_everything(user_id: str, org_type: str = "BROKER_DEALER") -> bool:
    account = (await Account.select(Account.id).where(Account.user_id == user_id).first())["id"]
    admin = {
        g["privilege"]
        for g in await Grant.select(Grant.privilege).where(
            (Grant.account == account) & (Grant.level == "ADMIN")
        )
    }
    available = {
        a["privilege"]
        for a in await PrivilegeAvailability.select(PrivilegeAvailability.privilege).where(
            PrivilegeAvailability.org_type == org_type
        )
    }
    return admin == available


async def serving_saas(number: str) -> list[str]:
    rows = await Account.select(Account.user_id).where(
        (Account.organization == await organization_id(number))
        & (Account.user_type == "SAA")
        & (Account.status != "DELETED")
    )
    return [r["user_id"] for r in rows]


async def replace_with_aa(operator, requester, **extra) -> dict:
    """A Replace SAA request by `requester` making aa.alpha the SAA, signed by the CCO."""
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    details = {
        "type": "REPLACE_SAA",
        "saaDisposition": "CONVERT",
        "newSaaAccountId": await account_gid("aa.alpha"),
        "signatoryId": signatory,
    }
    return await sent(requester, **(details | extra))


NEW_PERSON = {
    "newFirstName": "Nina",
    "newLastName": "Newsaa",
    "newEmail": "nina.newsaa@example.com",
    "newPhone": "+1 202 555 0177",
}


# --- ORG-5 ---------------------------------------------------------------------------------


async def test_org_5_the_operator_maintains_signatories(operator, saa_alpha, saa_beta):
    gid = await add_signatory(operator, ALPHA, "Carla Compliance", None, source="CONTACT_SYSTEM")
    updated = (
        await operator.execute(
            SIGNATORY_UPDATE,
            {
                "input": {
                    "signatoryId": gid,
                    "name": "Carla Compliance",
                    "title": "CCO",
                    "email": "cco@alpha.example",
                    "source": "FORM_BD_SCHEDULE_A",
                }
            },
        )
    ).ok()["authorizedSignatoryUpdate"]
    assert updated["signatory"]["email"] == "cco@alpha.example"
    # Requesters see their own organization's list; another organization's is empty.
    mine = (await saa_alpha.execute(SIGNATORIES)).ok()["authorizedSignatories"]
    assert [(s["name"], s["email"]) for s in mine] == [("Carla Compliance", "cco@alpha.example")]
    other = await saa_beta.execute(SIGNATORIES, {"org": await org_gid(ALPHA)})
    assert other.ok()["authorizedSignatories"] == []
    deleted = (await operator.execute(SIGNATORY_DELETE, {"input": {"signatoryId": gid}})).ok()
    assert deleted["authorizedSignatoryDelete"]["errors"] == []
    assert (await saa_alpha.execute(SIGNATORIES)).ok()["authorizedSignatories"] == []


@pytest.mark.parametrize("user_id", ["saa.alpha", "aa.alpha", "user.alpha"])
async def test_org_5_only_the_operator_changes_signatories(anonymous, operator, user_id):
    gid = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    client = await anonymous.login(user_id)
    variables = {
        "input": {
            "organizationId": await org_gid(ALPHA),
            "name": "Someone",
            "title": "CEO",
            "source": "CONTACT_SYSTEM",
        }
    }
    async with unchanged():
        created = (await client.execute(SIGNATORY_CREATE, variables)).ok()
        removed = (await client.execute(SIGNATORY_DELETE, {"input": {"signatoryId": gid}})).ok()
    assert codes(created["authorizedSignatoryCreate"]) == [("FORBIDDEN", None)]
    assert codes(removed["authorizedSignatoryDelete"]) == [("FORBIDDEN", None)]


async def test_org_5_anonymous_is_asked_to_sign_in(anonymous):
    assert (await anonymous.execute(SIGNATORIES)).error_codes() == ["UNAUTHENTICATED"]


# --- REQ-1, REQ-4, REQ-7, REQ-8 ------------------------------------------------------------


async def test_req_1_req_8_replace_saa_is_fulfilled_and_everyone_told_at_each_step(
    operator, user_alpha, anonymous
):
    request = await replace_with_aa(operator, user_alpha)
    assert request["status"] == "PENDING_SIGNATORY"
    assert request["signatoryEmail"] == "cco@alpha.example"
    assert request["newSaaName"] is not None

    # REQ-4: the signatory reads the request with the passcode alone.
    passcode = await passcode_for("cco@alpha.example")
    seen = (await anonymous.execute(FOR_SIGNATORY, {"p": passcode})).ok()["requestForSignatory"]
    assert (seen["id"], seen["type"], seen["saaDisposition"]) == (
        request["id"],
        "REPLACE_SAA",
        "CONVERT",
    )
    assert await RequestPasscode.count().where(RequestPasscode.used_at.is_null()) == 2  # + demo

    payload = await decide(anonymous, passcode)
    assert payload["errors"] == []
    assert payload["request"]["status"] == "APPROVED"
    assert [
        (h["fromStatus"], h["toStatus"], h["actor"]) for h in payload["request"]["history"]
    ] == [
        (None, "DRAFT", "user.alpha"),
        ("DRAFT", "PENDING_SIGNATORY", "user.alpha"),
        ("PENDING_SIGNATORY", "APPROVED", "signatory"),
    ]
    # REQ-7: the old SAA keeps no ADMIN grant, the new one holds ADMIN on everything.
    assert await user_type_of("saa.alpha") == ("USER", "ACTIVE")
    assert await user_type_of("aa.alpha") == ("SAA", "ACTIVE")
    assert await serving_saas(ALPHA) == ["aa.alpha"]
    assert await admin_on_everything("aa.alpha")
    saa = (await Account.select(Account.id).where(Account.user_id == "saa.alpha").first())["id"]
    assert not await Grant.exists().where((Grant.account == saa) & (Grant.level == "ADMIN"))

    # REQ-8: requester and signatory told at every transition.
    emails = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.kind).where(
        OutboxMessage.kind.like("request.%")
    )
    assert sorted((e["kind"], e["to_address"]) for e in emails) == [
        ("request.approved", "cco@alpha.example"),
        ("request.approved", "user.alpha@example.com"),
        ("request.pending_signatory", "cco@alpha.example"),
        ("request.pending_signatory", "user.alpha@example.com"),
    ]
    # Audit: every transition with its actor (REP-2); the passcode is never recorded.
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.actor_label).where(
        AuditEvent.target_type == "Request"
    )
    assert [(e["action"], e["actor_label"]) for e in events] == [
        ("request.create", "user.alpha"),
        ("request.transition", "user.alpha"),
        ("request.transition", "signatory"),
    ]
    everything = str(await AuditEvent.select())
    assert passcode not in everything
    # REQ-4: the passcode was single use.
    again = await decide(anonymous, passcode)
    assert codes(again) == [("ALREADY_USED", "passcode")]


async def test_req_6_a_new_account_goes_to_the_operator_who_creates_it(
    operator, saa_alpha, anonymous
):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    request = await sent(
        saa_alpha,
        type="REPLACE_SAA",
        saaDisposition="DELETE",
        signatoryId=signatory,
        **NEW_PERSON,
    )
    approved = await decide(anonymous, await passcode_for("cco@alpha.example"))
    assert approved["request"]["status"] == "PENDING_OPERATOR"
    assert await serving_saas(ALPHA) == ["saa.alpha"]

    # REQ-6: the queue of requests the operator reviews.
    queue = (await operator.execute(LIST, {"filter": {"statuses": ["PENDING_OPERATOR"]}})).ok()[
        "requests"
    ]
    assert request["id"] in [e["node"]["id"] for e in queue["edges"]]
    assert {e["node"]["status"] for e in queue["edges"]} == {"PENDING_OPERATOR"}

    reviewed = await mutate(operator, "requestReview", requestId=request["id"], decision="APPROVE")
    assert reviewed["errors"] == []
    assert reviewed["request"]["status"] == "APPROVED"
    assert await user_type_of("saa.alpha") == ("USER", "DELETED")
    (new,) = await Account.select(Account.user_id, Account.status, Account.user_type).where(
        Account.email == "nina.newsaa@example.com"
    )
    assert (new["status"], new["user_type"]) == ("ACTIVE", "SAA")
    assert await admin_on_everything(new["user_id"])
    # ACC-3: the new SAA's user ID and password link in two emails.
    kinds = await OutboxMessage.select(OutboxMessage.kind).where(
        OutboxMessage.to_address == "nina.newsaa@example.com"
    )
    assert sorted(k["kind"] for k in kinds) == [
        "account.activated.password_link",
        "account.activated.user_id",
    ]
    # The deleted SAA's session ended: saa.alpha is signed out.
    assert (await saa_alpha.execute("{ viewer { userId } }")).ok()["viewer"] is None


async def test_req_6_operator_denies_or_sends_back_with_a_reason(operator, saa_alpha, anonymous):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    details = {"type": "REPLACE_SAA", "saaDisposition": "CONVERT", "signatoryId": signatory}
    first = await sent(saa_alpha, **(details | NEW_PERSON))
    await decide(anonymous, await passcode_for("cco@alpha.example"))
    async with unchanged():
        refused = await mutate(operator, "requestReview", requestId=first["id"], decision="DENY")
    assert codes(refused) == [("INVALID", "reason")]
    back = await mutate(
        operator,
        "requestReview",
        requestId=first["id"],
        decision="SEND_BACK",
        reason="Phone number is wrong",
    )
    assert (back["request"]["status"], back["request"]["operatorReason"]) == (
        "DRAFT",
        "Phone number is wrong",
    )
    await mutate(saa_alpha, "requestSend", requestId=first["id"])
    await decide(anonymous, await passcode_for("cco@alpha.example"))
    denied = await mutate(
        operator, "requestReview", requestId=first["id"], decision="DENY", reason="Not verified"
    )
    assert denied["request"]["status"] == "DENIED_BY_OPERATOR"
    assert denied["request"]["completedAt"] is not None
    assert await serving_saas(ALPHA) == ["saa.alpha"]


@pytest.mark.parametrize("user_id", ["saa.alpha", "aa.alpha", "user.alpha", "saa.beta"])
async def test_req_6_only_the_operator_reviews(anonymous, operator, saa_alpha, user_id):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    request = await sent(
        saa_alpha, type="REPLACE_SAA", saaDisposition="CONVERT", signatoryId=signatory, **NEW_PERSON
    )
    await decide(anonymous, await passcode_for("cco@alpha.example"))
    client = await anonymous.login(user_id)
    async with unchanged():
        payload = await mutate(client, "requestReview", requestId=request["id"], decision="APPROVE")
    expected = "FORBIDDEN" if user_id == "saa.alpha" else "NOT_FOUND"
    assert codes(payload) == [(expected, "requestId")]


# --- REQ-3: the state machine ---------------------------------------------------------------


async def test_req_3_save_recall_send_back_and_cancel(operator, user_alpha, anonymous):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    request = await draft(user_alpha, type="REPLACE_SAA")
    # Save & edit keeps a DRAFT; sending an incomplete one is refused.
    async with unchanged():
        incomplete = await mutate(user_alpha, "requestSend", requestId=request["id"])
    assert codes(incomplete) == [("INVALID", "saaDisposition")]
    saved = await mutate(
        user_alpha,
        "requestSave",
        requestId=request["id"],
        saaDisposition="CONVERT",
        newSaaAccountId=await account_gid("aa.alpha"),
        signatoryId=signatory,
    )
    assert saved["request"]["status"] == "DRAFT"
    assert saved["request"]["signatoryName"] == "Carla Compliance"
    sent_ = await mutate(user_alpha, "requestSend", requestId=request["id"])
    assert sent_["request"]["status"] == "PENDING_SIGNATORY"
    first_code = await passcode_for("cco@alpha.example")

    # A second send of a sent request, or an edit, is refused and changes nothing.
    async with unchanged():
        again = await mutate(user_alpha, "requestSend", requestId=request["id"])
        edit = await mutate(user_alpha, "requestSave", requestId=request["id"])
        cancel = await mutate(user_alpha, "requestCancel", requestId=request["id"])
    assert codes(again) == [("INVALID", "requestId")]
    assert codes(edit) == [("INVALID", "requestId")]
    assert codes(cancel) == [("INVALID", "requestId")]

    # Recall: back to DRAFT with its data; the passcode sent dies with it.
    recalled = await mutate(user_alpha, "requestRecall", requestId=request["id"])
    assert recalled["request"]["status"] == "DRAFT"
    assert recalled["request"]["signatoryName"] == "Carla Compliance"
    assert codes(await decide(anonymous, first_code)) == [("ALREADY_USED", "passcode")]
    async with unchanged():
        recall_draft = await mutate(user_alpha, "requestRecall", requestId=request["id"])
    assert codes(recall_draft) == [("INVALID", "requestId")]

    # The signatory's send-back returns it to DRAFT with the reason shown.
    await mutate(user_alpha, "requestSend", requestId=request["id"])
    back = await decide(
        anonymous,
        await passcode_for("cco@alpha.example"),
        "SEND_BACK",
        reason="Name the new SAA's department",
    )
    assert back["request"]["status"] == "DRAFT"
    shown = (
        await user_alpha.execute(
            f"query($id: ID!) {{ request(id: $id) {{ {REQUEST_FIELDS} }} }}", {"id": request["id"]}
        )
    ).ok()["request"]
    assert shown["signatoryReason"] == "Name the new SAA's department"
    returned = await OutboxMessage.select(OutboxMessage.subject).where(
        (OutboxMessage.to_address == "user.alpha@example.com")
        & (OutboxMessage.kind == "request.draft")
    )
    assert "SAA Replacement Request Returned by Authorized Signatory" in [
        r["subject"] for r in returned
    ]

    cancelled = await mutate(user_alpha, "requestCancel", requestId=request["id"])
    assert cancelled["request"]["status"] == "CANCELLED"
    async with unchanged():
        late = await mutate(user_alpha, "requestSend", requestId=request["id"])
    assert codes(late) == [("INVALID", "requestId")]


async def test_req_3_drafts_older_than_30_days_are_deleted(user_alpha, anonymous, fresh, clock):
    old = await draft(user_alpha, type="REPLACE_SAA")
    clock.advance(days=20)
    young = await draft(await anonymous.login("user.alpha"), type="REPLACE_SAA")
    clock.advance(days=10, seconds=1)
    report = (await runner.run_once(fresh.settings, clock, "requests"))["requests"]
    assert report.deleted == 2  # and the demo's draft, saved 32 days ago by then
    left = [to_global_id("Request", r["id"]) for r in await Request.select(Request.id)]
    assert young["id"] in left
    assert old["id"] not in left
    remaining = await Request.select(Request.status).where(Request.status == "DRAFT")
    assert len(remaining) == 1


# --- REQ-4, REQ-5: the signatory's decision -------------------------------------------------


async def test_req_4_bad_passcodes_and_decisions_change_nothing(
    operator, user_alpha, anonymous, clock
):
    await replace_with_aa(operator, user_alpha)
    passcode = await passcode_for("cco@alpha.example")
    async with unchanged():
        wrong = await decide(anonymous, "AAAAA-BBBBB-CCCCC")
        unacknowledged = await decide(anonymous, passcode, acknowledgeAgreement=False)
        deny_without_reason = await decide(anonymous, passcode, "DENY")
        back_without_reason = await decide(anonymous, passcode, "SEND_BACK", reason="  ")
    assert codes(wrong) == [("INVALID", "passcode")]
    assert codes(unacknowledged) == [("INVALID", "acknowledgeAgreement")]
    assert codes(deny_without_reason) == [("INVALID", "reason")]
    assert codes(back_without_reason) == [("INVALID", "reason")]
    assert (await anonymous.execute(FOR_SIGNATORY, {"p": "nope"})).ok() == {
        "requestForSignatory": None
    }

    clock.advance(days=15)
    async with unchanged():
        expired = await decide(anonymous, passcode, "DENY", reason="Too late")
    assert codes(expired) == [("EXPIRED", "passcode")]


async def test_req_4_deny_is_final_and_shows_the_reason(operator, user_alpha, anonymous):
    request = await replace_with_aa(operator, user_alpha)
    denied = await decide(
        anonymous, await passcode_for("cco@alpha.example"), "DENY", reason="Not authorized"
    )
    assert denied["request"]["status"] == "DENIED_BY_SIGNATORY"
    assert denied["request"]["signatoryReason"] == "Not authorized"
    async with unchanged():
        recall = await mutate(user_alpha, "requestRecall", requestId=request["id"])
    assert codes(recall) == [("INVALID", "requestId")]
    assert await serving_saas(ALPHA) == ["saa.alpha"]


async def test_req_5_justifications_when_the_requester_is_the_signatory(
    operator, user_alpha, anonymous
):
    # The only signatory on file is the requester: allowed (REQ-1), but justified (REQ-5).
    signatory = await add_signatory(operator, ALPHA, "Ursula User", "user.alpha@example.com")
    await sent(
        user_alpha,
        type="REPLACE_SAA",
        saaDisposition="CONVERT",
        newSaaAccountId=await account_gid("aa.alpha"),
        signatoryId=signatory,
    )
    passcode = await passcode_for("user.alpha@example.com")
    async with unchanged():
        missing = await decide(anonymous, passcode, justification1="I am the CCO")
    assert codes(missing) == [("INVALID", "justification2")]
    payload = await decide(
        anonymous, passcode, justification1="I am the CCO", justification2="Sole officer"
    )
    # REQ-6: justified approvals go to the operator.
    assert payload["request"]["status"] == "PENDING_OPERATOR"
    assert payload["request"]["justification2"] == "Sole officer"


async def test_req_1_not_yourself_when_another_signatory_exists(operator, user_alpha):
    await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    me = await add_signatory(operator, ALPHA, "Ursula User", "user.alpha@example.com")
    request = await draft(
        user_alpha,
        type="REPLACE_SAA",
        saaDisposition="CONVERT",
        newSaaAccountId=await account_gid("aa.alpha"),
        signatoryId=me,
    )
    async with unchanged():
        payload = await mutate(user_alpha, "requestSend", requestId=request["id"])
    assert codes(payload) == [("INVALID", "signatoryId")]


async def test_org_5_a_signatory_is_added_by_hand_only_when_none_is_on_file(
    operator, user_alpha, anonymous
):
    details = {
        "type": "REPLACE_SAA",
        "saaDisposition": "CONVERT",
        "newSaaAccountId": await account_gid("aa.alpha"),
        "signatoryName": "Hank Hand",
        "signatoryTitle": "CEO",
    }
    request = await draft(user_alpha, **details)
    async with unchanged():
        no_email = await mutate(user_alpha, "requestSend", requestId=request["id"])
    assert codes(no_email) == [("INVALID", "signatoryEmail")]
    await mutate(
        user_alpha,
        "requestSave",
        requestId=request["id"],
        **(
            {k: v for k, v in details.items() if k != "type"}
            | {"signatoryEmail": "hank@alpha.example"}
        ),
    )
    sent_ = await mutate(user_alpha, "requestSend", requestId=request["id"])
    assert sent_["request"]["signatoryAddedByHand"] is True
    approved = await decide(anonymous, await passcode_for("hank@alpha.example"))
    # REQ-6: a hand-added signatory's approval is reviewed by the operator.
    assert approved["request"]["status"] == "PENDING_OPERATOR"
    # Once the operator approves, the signatory is on file for the next request.
    reviewed = await mutate(
        operator, "requestReview", requestId=approved["request"]["id"], decision="APPROVE"
    )
    assert reviewed["request"]["status"] == "APPROVED"
    on_file = (await user_alpha.execute(SIGNATORIES)).ok()["authorizedSignatories"]
    assert [(s["name"], s["source"]) for s in on_file] == [("Hank Hand", "ADDED_BY_REQUESTER")]

    # With one on file, a hand-added signatory is refused.
    other = await draft(
        user_alpha,
        **details
        | {
            "signatoryEmail": "hank@alpha.example",
            "newSaaAccountId": await account_gid("user2.alpha"),
        },
    )
    async with unchanged():
        refused = await mutate(user_alpha, "requestSend", requestId=other["id"])
    assert codes(refused) == [("INVALID", "signatoryId")]


async def test_org_5_the_requester_supplies_a_missing_email(operator, user_alpha):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", None)
    details = {
        "type": "REPLACE_SAA",
        "saaDisposition": "CONVERT",
        "newSaaAccountId": await account_gid("aa.alpha"),
        "signatoryId": signatory,
    }
    request = await draft(user_alpha, **details)
    async with unchanged():
        refused = await mutate(user_alpha, "requestSend", requestId=request["id"])
    assert codes(refused) == [("INVALID", "signatoryEmail")]
    await sent(user_alpha, **(details | {"signatoryEmail": "carla@alpha.example"}))
    assert await passcode_for("carla@alpha.example")


# --- REQ-1 bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "code"),
    [
        ("saa.beta", "NOT_FOUND"),  # an account of another organization
        ("former.alpha", "INVALID"),  # DELETED
        ("draft.alpha", "INVALID"),
        ("m2m.alpha", "INVALID"),
        ("saa.alpha", "INVALID"),  # the SAA already
    ],
)
async def test_req_1_the_new_saa_is_a_live_person_of_the_organization(user_alpha, user_id, code):
    async with unchanged():
        payload = await mutate(
            user_alpha,
            "requestCreate",
            type="REPLACE_SAA",
            newSaaAccountId=await account_gid(user_id),
        )
    assert codes(payload) == [(code, "newSaaAccountId")]


async def test_req_1_a_signatory_of_another_organization_is_not_found(operator, user_alpha):
    beta = await add_signatory(operator, BETA, "Bea Beta", "cco@beta.example")
    async with unchanged():
        payload = await mutate(user_alpha, "requestCreate", type="REPLACE_SAA", signatoryId=beta)
    assert codes(payload) == [("NOT_FOUND", "signatoryId")]


async def test_req_1_the_new_saa_deleted_after_sending_fails_cleanly(
    operator, user_alpha, anonymous, saa_alpha
):
    request = await replace_with_aa(operator, user_alpha)
    await Account.update({Account.status: "DELETED"}).where(Account.user_id == "aa.alpha")
    async with unchanged():
        payload = await decide(anonymous, await passcode_for("cco@alpha.example"))
    assert codes(payload) == [("CONFLICT", "requestId")]
    assert await serving_saas(ALPHA) == ["saa.alpha"]
    pk = int(from_global_id(request["id"])[1])
    status = (await Request.select(Request.status).where(Request.id == pk).first())["status"]
    assert status == "PENDING_SIGNATORY"


async def test_req_1_anonymous_is_asked_to_sign_in(anonymous):
    async with unchanged():
        result = await anonymous.execute(
            MUTATIONS["requestCreate"], {"input": {"type": "REPLACE_SAA"}}
        )
    assert result.error_codes() == ["UNAUTHENTICATED"]


# --- REQ-2 ---------------------------------------------------------------------------------


async def test_req_2_the_saa_updates_their_own_name_and_email(operator, saa_alpha, anonymous):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    request = await sent(
        saa_alpha,
        type="UPDATE_SAA",
        newLastName="Married-Name",
        newEmail="sally.saa@alpha.example",
        signatoryId=signatory,
    )
    assert request["type"] == "UPDATE_SAA"
    approved = await decide(anonymous, await passcode_for("cco@alpha.example"))
    assert approved["request"]["status"] == "APPROVED"
    row = (
        await Account.select(Account.last_name, Account.email, Account.user_type)
        .where(Account.user_id == "saa.alpha")
        .first()
    )
    assert row == {
        "last_name": "Married-Name",
        "email": "sally.saa@alpha.example",
        "user_type": "SAA",
    }


@pytest.mark.parametrize("user_id", ["aa.alpha", "user.alpha"])
async def test_req_2_only_the_saa_asks(anonymous, user_id):
    client = await anonymous.login(user_id)
    async with unchanged():
        payload = await mutate(client, "requestCreate", type="UPDATE_SAA", newLastName="X")
    assert codes(payload) == [("FORBIDDEN", None)]


async def test_req_2_an_update_changes_only_name_and_email(saa_alpha):
    async with unchanged():
        payload = await mutate(
            saa_alpha,
            "requestCreate",
            type="UPDATE_SAA",
            newSaaAccountId=await account_gid("aa.alpha"),
        )
    assert codes(payload) == [("INVALID", None)]


# --- REQ-7: two approvals racing -------------------------------------------------------------


async def test_req_7_two_approvals_racing_fulfil_exactly_one(operator, user_alpha, anonymous):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    ids = []
    for person in ("aa.alpha", "user2.alpha"):
        request = await sent(
            user_alpha,
            type="REPLACE_SAA",
            saaDisposition="CONVERT",
            newSaaAccountId=await account_gid(person),
            signatoryId=signatory,
            # Justified, so both wait for the operator (REQ-6).
        )
        await decide(
            anonymous,
            await passcode_for("cco@alpha.example"),
            justification1="Reviewed",
            justification2="Agreed",
        )
        ids.append(request["id"])
    payloads = await asyncio.gather(
        *[mutate(operator, "requestReview", requestId=i, decision="APPROVE") for i in ids]
    )
    assert sorted(codes(p) for p in payloads) == [[], [("CONFLICT", "requestId")]]
    statuses = sorted(
        r["status"]
        for r in await Request.select(Request.status).where(
            Request.organization == await organization_id(ALPHA)
        )
    )
    assert statuses == ["APPROVED", "PENDING_OPERATOR"]
    assert len(await serving_saas(ALPHA)) == 1
    assert await user_type_of("saa.alpha") == ("USER", "ACTIVE")


async def test_req_7_a_disabled_account_is_not_made_the_saa(operator, user_alpha, anonymous):
    from tests.mutations import mutate as account_mutate

    request = await replace_with_aa(operator, user_alpha)
    disabled = await account_mutate(
        operator, "accountDisable", accountId=await account_gid("aa.alpha"), reason="Fraud"
    )
    assert disabled["errors"] == []
    decided = await decide(anonymous, await passcode_for("cco@alpha.example"))
    assert codes(decided) == [("CONFLICT", "requestId")]
    assert await serving_saas(ALPHA) == ["saa.alpha"]
    # Recalled and saved again, the disabled account is refused at once.
    assert codes(await mutate(user_alpha, "requestRecall", requestId=request["id"])) == []
    again = await account_gid("aa.alpha")
    refused = await mutate(
        user_alpha, "requestSave", requestId=request["id"], newSaaAccountId=again
    )
    assert codes(refused) == [("INVALID", "newSaaAccountId")]


async def test_req_7_a_request_sent_before_the_saa_changed_fails_cleanly(
    operator, user_alpha, anonymous
):
    await replace_with_aa(operator, user_alpha)
    first = await passcode_for("cco@alpha.example")
    signatory = (await user_alpha.execute(SIGNATORIES)).ok()["authorizedSignatories"][0]["id"]
    await sent(
        user_alpha,
        type="REPLACE_SAA",
        saaDisposition="DELETE",
        newSaaAccountId=await account_gid("user2.alpha"),
        signatoryId=signatory,
    )
    second = await passcode_for("cco@alpha.example")
    assert (await decide(anonymous, first))["errors"] == []
    async with unchanged():
        payload = await decide(anonymous, second)
    assert codes(payload) == [("CONFLICT", "requestId")]
    assert await serving_saas(ALPHA) == ["aa.alpha"]


# --- REQ-9, REQ-10 -------------------------------------------------------------------------


async def test_req_9_who_sees_a_replace_saa_request(operator, user_alpha, anonymous):
    request = await replace_with_aa(operator, user_alpha)
    variables = {"id": request["id"]}
    assert (await user_alpha.execute(ONE, variables)).ok()["request"]["id"] == request["id"]
    assert (await operator.execute(ONE, variables)).ok()["request"]["id"] == request["id"]
    for user_id in ("saa.alpha", "aa.alpha", "user2.alpha", "saa.beta"):
        client = await anonymous.login(user_id)
        assert (await client.execute(ONE, variables)).ok()["request"] is None, user_id
        listed = (await client.execute(LIST)).ok()["requests"]["edges"]
        assert request["id"] not in [e["node"]["id"] for e in listed], user_id
        node = await client.execute("query($id: ID!) { node(id: $id) { id } }", variables)
        assert node.ok()["node"] is None
    assert (await anonymous.execute(ONE, variables)).error_codes() == ["UNAUTHENTICATED"]


AUDIT_ABOUT_REQUESTS = """query { auditEvents(first: 100) { edges { node {
  id action targetType after } } } }"""


async def test_req_9_the_saa_reads_no_replace_saa_request_in_the_audit_log(
    operator, user_alpha, saa_alpha, anonymous
):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    request = await sent(
        user_alpha,
        type="REPLACE_SAA",
        saaDisposition="DELETE",
        newSaaAccountId=await account_gid("aa.alpha"),
        signatoryId=signatory,
    )
    await decide(anonymous, await passcode_for("cco@alpha.example"), "DENY", reason="Talk first")
    assert (await saa_alpha.execute(ONE, {"id": request["id"]})).ok()["request"] is None

    def about_requests(data: dict) -> list[dict]:
        edges = data["auditEvents"]["edges"]
        return [e["node"] for e in edges if e["node"]["targetType"] == "Request"]

    assert about_requests((await saa_alpha.execute(AUDIT_ABOUT_REQUESTS)).ok()) == []
    seen = about_requests((await operator.execute(AUDIT_ABOUT_REQUESTS)).ok())
    assert {"request.create", "request.transition"} <= {e["action"] for e in seen}
    hidden = await saa_alpha.execute(
        "query($id: ID!) { node(id: $id) { id } }", {"id": seen[0]["id"]}
    )
    assert hidden.ok()["node"] is None  # by ID too


async def test_req_9_an_update_saa_request_is_the_saas(operator, saa_alpha, anonymous):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    request = await sent(saa_alpha, type="UPDATE_SAA", newLastName="New", signatoryId=signatory)
    variables = {"id": request["id"]}
    assert (await saa_alpha.execute(ONE, variables)).ok()["request"] is not None
    assert (await operator.execute(ONE, variables)).ok()["request"] is not None
    for user_id in ("aa.alpha", "user.alpha", "saa.beta"):
        client = await anonymous.login(user_id)
        assert (await client.execute(ONE, variables)).ok()["request"] is None


async def test_req_10_tabs_and_filters(operator, user_alpha, saa_alpha, anonymous):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    await draft(user_alpha, type="REPLACE_SAA")
    denied = await replace_with_aa(operator, user_alpha)
    await decide(anonymous, await passcode_for("cco@alpha.example"), "DENY", reason="No")
    await sent(saa_alpha, type="UPDATE_SAA", newLastName="New", signatoryId=signatory)

    async def listed(client, **variables) -> list[tuple[str, str]]:
        edges = (await client.execute(LIST, variables)).ok()["requests"]["edges"]
        # Beta Capital's demo requests are left out.
        return [
            (e["node"]["type"], e["node"]["status"])
            for e in edges
            if e["node"]["organizationName"] == "Alpha Securities"
        ]

    assert await listed(user_alpha, tab="ACTIVE") == [("REPLACE_SAA", "DRAFT")]
    assert await listed(user_alpha, tab="COMPLETED") == [("REPLACE_SAA", "DENIED_BY_SIGNATORY")]
    assert await listed(operator, filter={"types": ["UPDATE_SAA"]}) == [
        ("UPDATE_SAA", "PENDING_SIGNATORY")
    ]
    assert await listed(operator, filter={"statuses": ["DRAFT", "DENIED_BY_SIGNATORY"]}) == [
        ("REPLACE_SAA", "DENIED_BY_SIGNATORY"),
        ("REPLACE_SAA", "DRAFT"),
    ]
    assert len(await listed(operator, filter={"categories": ["ACCOUNT_MANAGEMENT"]})) == 3
    assert await listed(saa_alpha) == [("UPDATE_SAA", "PENDING_SIGNATORY")]
    assert denied["id"]


async def test_req_10_an_empty_filter_list_matches_nothing(operator):
    query = "query($f: RequestFilter) { requests(filter: $f) { totalCount } }"
    assert (await operator.execute(query, {"f": {}})).ok()["requests"]["totalCount"] > 0
    for empty in ({"types": []}, {"statuses": []}, {"categories": []}):
        result = await operator.execute(query, {"f": empty})
        assert result.ok()["requests"]["totalCount"] == 0, empty


async def test_req_10_the_list_costs_the_same_statements_for_2_and_10(
    operator, user_alpha, sql_statements
):
    for _ in range(10):
        await draft(
            user_alpha,
            type="REPLACE_SAA",
            newSaaAccountId=await account_gid("aa.alpha"),
        )
    counts = []
    for first in (2, 10):
        with sql_statements() as stats:
            edges = (await operator.execute(LIST, {"first": first})).ok()["requests"]["edges"]
        assert len(edges) == first
        assert edges[0]["node"]["newSaaName"] and edges[0]["node"]["history"]
        counts.append(stats.statements)
    assert counts[0] == counts[1], counts
    assert await Request.count() == 13  # with the demo's three


async def test_demo_has_a_request_waiting_in_each_state(operator, anonymous):
    from entitle.demo import DEMO_PASSCODE

    edges = (await operator.execute(LIST, {"tab": "ACTIVE"})).ok()["requests"]["edges"]
    assert sorted((e["node"]["type"], e["node"]["status"]) for e in edges) == [
        ("REPLACE_SAA", "DRAFT"),
        ("REPLACE_SAA", "PENDING_OPERATOR"),
        ("UPDATE_SAA", "PENDING_SIGNATORY"),
    ]
    # The README's demo passcode opens the request waiting for Beta Capital's CCO.
    seen = (await anonymous.execute(FOR_SIGNATORY, {"p": DEMO_PASSCODE})).ok()
    assert seen["requestForSignatory"]["signatoryName"] == "Bianca Bond"
    approved = await decide(anonymous, DEMO_PASSCODE.lower())
    assert approved["request"]["status"] == "APPROVED"
    assert (
        await Account.select(Account.last_name).where(Account.user_id == "saa.beta").first()
    ) == {"last_name": "Beta-Lindqvist"}
    pending = next(e["node"] for e in edges if e["node"]["status"] == "PENDING_OPERATOR")
    reviewed = await mutate(operator, "requestReview", requestId=pending["id"], decision="APPROVE")
    assert reviewed["request"]["status"] == "APPROVED"
    assert await serving_saas(BETA) == ["nnewhire"]


async def test_req_3_the_database_refuses_a_request_breaking_the_invariants(user_alpha):
    """The invariants hold even for a write that skips the services (CHECK constraints on
    PostgreSQL, triggers on SQLite)."""
    refused = (sqlite3.IntegrityError, asyncpg.CheckViolationError)
    request = await draft(user_alpha, type="REPLACE_SAA")
    pk = from_global_id(request["id"])[1]
    async with unchanged():
        for values in (
            {Request.status: "LOST"},
            # Sent without a signatory or a new SAA (REQ-1, REQ-4).
            {Request.status: "PENDING_SIGNATORY"},
            # Completed without saying when (REQ-3).
            {Request.status: "APPROVED"},
        ):
            with pytest.raises(refused):
                await Request.update(values).where(Request.id == pk)


# --- ORG-3: a new organization's first SAA ---------------------------------------------------

NEW_ORG = """
mutation($input: RequestNewOrganizationSaaCreateInput!) {
  requestNewOrganizationSaaCreate(input: $input) { errors { code message field } }
}
"""


async def register_delta() -> int:
    """An organization the operator registered, without an SAA yet."""
    from entitle.models import Organization

    rows = await Organization.insert(
        Organization(
            number="100077",
            name="Delta Advisers",
            org_type="INVESTMENT_ADVISER",
            org_class="FIRM",
            created_at=START,
        )
    ).returning(Organization.id)
    return rows[0]["id"]


AGREEMENT = {
    "organizationNumber": "100077",
    "newFirstName": "Dora",
    "newLastName": "Delta",
    "newEmail": "dora@delta.example",
    "newPhone": "+1 202 555 0111",
    "signatoryName": "Dan Director",
    "signatoryTitle": "Chief Compliance Officer",
    "signatoryEmail": "dan@delta.example",
    "contactEmail": "office@delta.example",
}


async def agree(client, **changes) -> dict:
    result = await client.execute(NEW_ORG, {"input": AGREEMENT | changes})
    return result.ok()["requestNewOrganizationSaaCreate"]


async def test_org_3_a_new_organization_gets_its_first_saa(operator, anonymous):
    delta = await register_delta()
    assert (await agree(anonymous))["errors"] == []
    passcode = await passcode_for("dan@delta.example")
    seen = (await anonymous.execute(FOR_SIGNATORY, {"p": passcode})).ok()["requestForSignatory"]
    assert (seen["type"], seen["status"], seen["organizationName"]) == (
        "NEW_ORGANIZATION_SAA",
        "PENDING_SIGNATORY",
        "Delta Advisers",
    )
    # The signatory cannot send back what nobody can edit; they approve.
    async with unchanged():
        back = await decide(anonymous, passcode, "SEND_BACK", reason="Typo")
    assert codes(back) == [("INVALID", "decision")]
    approved = await decide(anonymous, passcode)
    # ORG-3: the operator always reviews and creates the account.
    assert approved["request"]["status"] == "PENDING_OPERATOR"
    request_id = approved["request"]["id"]
    reviewed = await mutate(operator, "requestReview", requestId=request_id, decision="APPROVE")
    assert reviewed["errors"] == []
    assert reviewed["request"]["status"] == "APPROVED"
    (saa,) = await Account.select(Account.user_id, Account.status, Account.user_type).where(
        Account.organization == delta
    )
    assert (saa["status"], saa["user_type"]) == ("ACTIVE", "SAA")
    assert await admin_on_everything(saa["user_id"], "INVESTMENT_ADVISER")
    kinds = await OutboxMessage.select(OutboxMessage.kind).where(
        OutboxMessage.to_address == "dora@delta.example"
    )
    assert sorted(k["kind"] for k in kinds) == [
        "account.activated.password_link",
        "account.activated.user_id",
    ]
    # REQ-8: the contact and the signatory heard of every step.
    told = await OutboxMessage.select(OutboxMessage.kind).where(
        OutboxMessage.to_address == "office@delta.example"
    )
    assert sorted(k["kind"] for k in told) == [
        "request.approved",
        "request.pending_operator",
        "request.pending_signatory",
    ]


async def test_org_3_the_signatory_as_saa_needs_an_explanation(operator, anonymous):
    await register_delta()
    same = {"signatoryEmail": "dora@delta.example"}
    async with unchanged():
        refused = await agree(anonymous, **same)
    assert codes(refused) == [("INVALID", "explanation")]
    assert (await agree(anonymous, **same, explanation="Sole proprietor"))["errors"] == []
    approved = await decide(anonymous, await passcode_for("dora@delta.example"))
    listed = (
        await operator.execute(
            "query { requests(filter: { types: [NEW_ORGANIZATION_SAA] }) "
            "{ edges { node { status explanation contactEmail } } } }"
        )
    ).ok()["requests"]["edges"]
    assert [e["node"] for e in listed] == [
        {
            "status": "PENDING_OPERATOR",
            "explanation": "Sole proprietor",
            "contactEmail": "office@delta.example",
        }
    ]
    assert approved["errors"] == []


@pytest.mark.parametrize("number", ["100001", "999999", "000000"])
async def test_org_3_only_for_an_organization_without_an_saa(anonymous, number):
    async with unchanged():
        payload = await agree(anonymous, organizationNumber=number)
    assert codes(payload) == [("NOT_FOUND", "organizationNumber")]


async def test_org_3_nobody_in_another_organization_sees_it(anonymous, saa_alpha):
    await register_delta()
    await agree(anonymous)
    listed = (await saa_alpha.execute(LIST, {"filter": {"types": ["NEW_ORGANIZATION_SAA"]}})).ok()
    assert listed["requests"]["edges"] == []
    async with unchanged():
        made = await mutate(saa_alpha, "requestCreate", type="NEW_ORGANIZATION_SAA")
    assert codes(made) == [("INVALID", "type")]


async def test_req_7_two_signatory_approvals_racing_fulfil_exactly_one(
    operator, user_alpha, anonymous
):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    passcodes = []
    for person in ("aa.alpha", "user2.alpha"):
        await sent(
            user_alpha,
            type="REPLACE_SAA",
            saaDisposition="DELETE",
            newSaaAccountId=await account_gid(person),
            signatoryId=signatory,
        )
        passcodes.append(await passcode_for("cco@alpha.example"))
    payloads = await asyncio.gather(*[decide(anonymous, p) for p in passcodes])
    assert sorted(codes(p) for p in payloads) == [[], [("CONFLICT", "requestId")]]
    assert len(await serving_saas(ALPHA)) == 1
    assert await user_type_of("saa.alpha") == ("USER", "DELETED")
    # The losing passcode was not spent: the signatory may still deny that request.
    loser = passcodes[[codes(p) for p in payloads].index([("CONFLICT", "requestId")])]
    denied = await decide(anonymous, loser, "DENY", reason="The SAA was replaced already")
    assert denied["request"]["status"] == "DENIED_BY_SIGNATORY"


async def test_org_4_one_person_is_saa_of_two_organizations_with_two_accounts(
    operator, saa_beta, anonymous
):
    # Alpha's SAA is named to serve Beta as well: a new account of Beta's, not Alpha's one.
    alpha_saa = (
        await Account.select(Account.id, Account.first_name, Account.last_name, Account.email)
        .where(Account.user_id == "saa.alpha")
        .first()
    )
    signatory = await add_signatory(operator, BETA, "Bea Signer", "bea@beta.example")
    request = await sent(
        saa_beta,
        type="REPLACE_SAA",
        saaDisposition="CONVERT",
        signatoryId=signatory,
        newFirstName=alpha_saa["first_name"],
        newLastName=alpha_saa["last_name"],
        newEmail=alpha_saa["email"],
        newPhone="+1 202 555 0100",
    )
    assert (await decide(anonymous, await passcode_for("bea@beta.example")))["errors"] == []
    reviewed = await mutate(operator, "requestReview", requestId=request["id"], decision="APPROVE")
    assert reviewed["errors"] == []
    assert await serving_saas(ALPHA) == ["saa.alpha"]
    (beta_saa,) = await serving_saas(BETA)
    assert beta_saa != "saa.alpha"  # a user ID of its own ...
    account = (
        await Account.select(Account.id, Account.email, Account.password_hash)
        .where(Account.user_id == beta_saa)
        .first()
    )
    assert account["id"] != alpha_saa["id"] and account["email"] == alpha_saa["email"]
    assert account["password_hash"] is None  # ... and a password of its own, set by its link
    links = await OutboxMessage.select(OutboxMessage.kind).where(
        (OutboxMessage.to_address == alpha_saa["email"])
        & (OutboxMessage.kind == "account.activated.password_link")
    )
    assert len(links) == 1


# --- REQ-3 under races: one decision per status (a transition checks the status it leaves) ----


async def _pending_operator_replace(operator, saa_alpha, anonymous) -> str:
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    request = await sent(
        saa_alpha, type="REPLACE_SAA", saaDisposition="CONVERT", signatoryId=signatory, **NEW_PERSON
    )
    approved = await decide(anonymous, await passcode_for("cco@alpha.example"))
    assert approved["request"]["status"] == "PENDING_OPERATOR"
    return request["id"]


def _one_stands(outcomes: list[list[tuple[str, str | None]]], *also: tuple[str, str]) -> bool:
    """Whichever came first stands; the other is told, typed: INVALID when it read the new
    status (SQLite runs them one after the other), CONFLICT when it read the old one, or
    one of `also`."""
    loser = [[("INVALID", "requestId")], [("CONFLICT", "requestId")], *([a] for a in also)]
    return sorted(outcomes)[0] == [] and sorted(outcomes)[1] in loser


async def _history(gid: str) -> list[tuple[str | None, str]]:
    pk = int(from_global_id(gid)[1])
    events = await RequestEvent.select().where(RequestEvent.request == pk).order_by(RequestEvent.id)
    return [(e["from_status"], e["to_status"]) for e in events]


async def test_req_3_the_operator_approving_and_denying_at_once_decides_once(
    operator, saa_alpha, anonymous
):
    gid = await _pending_operator_replace(operator, saa_alpha, anonymous)
    approve, deny = await asyncio.gather(
        mutate(operator, "requestReview", requestId=gid, decision="APPROVE"),
        mutate(operator, "requestReview", requestId=gid, decision="DENY", reason="No"),
    )
    assert _one_stands([codes(approve), codes(deny)])
    decisions = [h for h in await _history(gid) if h[0] == "PENDING_OPERATOR"]
    assert len(decisions) == 1
    replaced = await serving_saas(ALPHA) != ["saa.alpha"]
    assert replaced == (decisions[0][1] == "APPROVED")  # denied: nothing was fulfilled


async def test_req_3_two_operator_approvals_of_an_update_saa_approve_once(
    operator, saa_alpha, anonymous
):
    request = await sent(
        saa_alpha,
        type="UPDATE_SAA",
        newLastName="Married-Name",
        signatoryName="Hank Hand",
        signatoryTitle="CEO",
        signatoryEmail="hank@alpha.example",
    )
    approved = await decide(anonymous, await passcode_for("hank@alpha.example"))
    assert approved["request"]["status"] == "PENDING_OPERATOR"
    payloads = await asyncio.gather(
        *[
            mutate(operator, "requestReview", requestId=request["id"], decision="APPROVE")
            for _ in range(2)
        ]
    )
    assert _one_stands([codes(p) for p in payloads])
    assert [h for h in await _history(request["id"]) if h[1] == "APPROVED"] == [
        ("PENDING_OPERATOR", "APPROVED")
    ]


async def test_req_3_two_sends_at_once_send_once(operator, user_alpha):
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    request = await draft(
        user_alpha,
        type="REPLACE_SAA",
        saaDisposition="CONVERT",
        newSaaAccountId=await account_gid("aa.alpha"),
        signatoryId=signatory,
    )
    payloads = await asyncio.gather(
        *[mutate(user_alpha, "requestSend", requestId=request["id"]) for _ in range(2)]
    )
    assert _one_stands([codes(p) for p in payloads])
    assert [h for h in await _history(request["id"]) if h[1] == "PENDING_SIGNATORY"] == [
        ("DRAFT", "PENDING_SIGNATORY")
    ]


async def test_req_3_a_recall_racing_the_signatorys_approval_is_a_typed_refusal(
    operator, user_alpha, anonymous
):
    request = await replace_with_aa(operator, user_alpha)
    passcode = await passcode_for("cco@alpha.example")
    approve, recall = await asyncio.gather(
        decide(anonymous, passcode),
        user_alpha.execute(MUTATIONS["requestRecall"], {"input": {"requestId": request["id"]}}),
    )
    assert recall.error_codes() == [], recall.errors
    # A recall first spends the passcode, so a decision after it finds it used.
    outcomes = [codes(approve), codes(recall.data["requestRecall"])]
    assert _one_stands(outcomes, ("ALREADY_USED", "passcode"))


# --- REP-2: what a fulfilment changes is in the audit log, on what it changed -----------------


async def _account_pk(user_id: str) -> int:
    return (await Account.select(Account.id).where(Account.user_id == user_id).first())["id"]


async def _events_on(target_type: str, target_id: int, since: int) -> list[dict]:
    return await AuditEvent.select().where(
        (AuditEvent.id > since)
        & (AuditEvent.target_type == target_type)
        & (AuditEvent.target_id == str(target_id))
    )


def _json(value) -> dict:
    return value if isinstance(value, dict) else json.loads(value)


async def test_rep_2_an_update_saa_is_audited_on_the_saas_account(operator, saa_alpha, anonymous):
    saa = await _account_pk("saa.alpha")
    old = await Account.select(Account.last_name).where(Account.id == saa).first()
    signatory = await add_signatory(operator, ALPHA, "Carla Compliance", "cco@alpha.example")
    await sent(saa_alpha, type="UPDATE_SAA", newLastName="Married-Name", signatoryId=signatory)
    since = await AuditEvent.count()
    approved = await decide(anonymous, await passcode_for("cco@alpha.example"))
    assert approved["request"]["status"] == "APPROVED"
    (event,) = await _events_on("Account", saa, since)
    assert event["action"] == "account.update"
    assert _json(event["before"]) == {"last_name": old["last_name"]}
    assert _json(event["after"]) == {"last_name": "Married-Name"}


async def test_rep_2_the_old_saas_step_down_is_audited_on_their_account(
    operator, user_alpha, anonymous
):
    saa = await _account_pk("saa.alpha")
    await replace_with_aa(operator, user_alpha)
    since = await AuditEvent.count()
    approved = await decide(anonymous, await passcode_for("cco@alpha.example"))
    assert approved["request"]["status"] == "APPROVED"
    (event,) = await _events_on("Account", saa, since)
    assert event["action"] == "account.saa_stepped_down"
    assert _json(event["before"])["admin_grants"]  # what the SAA held at ADMIN, for the record
    assert _json(event["after"]) == {"user_type": "USER"}


async def test_rep_2_a_signatory_kept_from_a_request_is_audited(operator, user_alpha, anonymous):
    request = await sent(
        user_alpha,
        type="REPLACE_SAA",
        saaDisposition="CONVERT",
        newSaaAccountId=await account_gid("aa.alpha"),
        signatoryName="Hank Hand",
        signatoryTitle="CEO",
        signatoryEmail="hank@alpha.example",
    )
    await decide(anonymous, await passcode_for("hank@alpha.example"))
    reviewed = await mutate(operator, "requestReview", requestId=request["id"], decision="APPROVE")
    assert reviewed["request"]["status"] == "APPROVED"
    events = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.target_type == "AuthorizedSignatory"
    )
    assert [e["action"] for e in events] == ["signatory.create"]
