"""R27 on the real stack: a payout run previews who is paid and who is held (and why), waits
for its operator, then pays each member once with a self-billed invoice and one SEPA transfer
file; a rejected run pays nothing and a later one pays what it held; a clawback after payout is
netted against the next payout, never charged; every cluster has its monthly Schedule."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import facturx
import pytest
from lxml import etree
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client, ScheduleActionStartWorkflow, WorkflowHandle

from documents.einvoice import RAM
from documents.pain001 import check_pain001
from models.payout_runs import month_paid_at, run_workflow_id, schedule_id
from settings import Settings
from store.tables import Member
from tests.factories import OPERATOR, Actor, expect, found_cluster
from tests.pdf import pdf_text
from tests.schematron import BR_FR, EN16931, schematron_findings
from tests.workflows.conftest import Live
from tests.workflows.full_deal import FullDeal, close_full_deal, platform_stack
from tests.workflows.helpers import keep_workflow_history, outbox
from workflows.payout_schedule import ensure_payout_schedule

PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"
ACCOUNTS = {
    "alice": "FR14 2004 1010 0505 0001 3M02 606",
    "founder": "NL91 ABNA 0417 1643 00",
}
# Alice in Lyon, with her SIREN: French VAT. The founder in Amsterdam: the reverse charge.
IDENTITY = {
    "alice": {"siren": "552100554", "address_line1": "3 quai Perrache", "postcode": "69002",
              "city": "Lyon", "country": "FR"},
    "founder": {"address_line1": "7 Keizersgracht", "postcode": "1015 CJ", "city": "Amsterdam",
                "country": "NL"},
}  # fmt: skip


@pytest.fixture
async def live(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[Live]:
    async with platform_stack(settings, db, temporal_client) as stack:
        yield stack


def _iban(text: str) -> str:
    return text.replace(" ", "")


async def _payable(live: Live, deal: FullDeal, who: str, *, mandate: bool, days_ago: float) -> None:
    """The member's bank account (recorded `days_ago`) and, when `mandate`, its agreement."""
    actor = deal.people[who]
    body = {"iban": ACCOUNTS[who], **IDENTITY.get(who, {})}
    me = expect(await live.api.patch("/members/me", json=body, headers=actor.headers), 200)
    assert me["bank_account"] and _iban(ACCOUNTS[who]) not in str(me)
    with live.db.begin() as session:
        changed = datetime.now(UTC) - timedelta(days=days_ago)
        session.execute(update(Member).where(Member.id == actor.id).values(bank_changed_at=changed))
    if mandate:
        text = expect(
            await live.api.get("/members/me/self-billing-mandate", headers=actor.headers), 200
        )
        body = {"text_version": text["text_version"]}
        expect(
            await live.api.post(
                "/members/me/self-billing-mandate", json=body, headers=actor.headers
            ),
            201,
        )


async def _deal(live: Live, *, founder_mandate: bool = True, founder_days: float = 3) -> FullDeal:
    """A full deal paid and split (its seller alice and the founder credited), payouts from
    one cent on, no hold period; alice ready to be paid, the founder as asked."""
    deal = await close_full_deal(live)
    body = {"payout_hold_days": 0, "payout_threshold": "1.00"}
    path = f"/clusters/{deal.world.cluster_id}/settings"
    expect(await live.api.patch(path, json=body, headers=OPERATOR), 200)
    await _payable(live, deal, "alice", mandate=True, days_ago=3)
    await _payable(live, deal, "founder", mandate=founder_mandate, days_ago=founder_days)
    return deal


async def _agree(live: Live, who: Actor) -> None:
    text = expect(await live.api.get("/members/me/self-billing-mandate", headers=who.headers), 200)
    body = {"text_version": text["text_version"]}
    path = "/members/me/self-billing-mandate"
    expect(await live.api.post(path, json=body, headers=who.headers), 201)


async def _available(live: Live, who: Actor) -> dict[str, str]:
    return dict(expect(await live.api.get("/ledger", headers=who.headers), 200)["payouts"])


async def _start(live: Live, deal: FullDeal, period: str) -> Any:
    body = {"cluster_id": deal.world.cluster_id, "period": period}
    return expect(await live.api.post("/payout-runs", json=body, headers=OPERATOR), 201)


async def _decide(live: Live, run: Any, action: str, status: int = 200, reason: str = "") -> Any:
    path = f"/payout-runs/{run['id']}/decisions"
    body = {"action": action, "reason": reason}
    response = await live.api.post(path, json=body, headers=OPERATOR)
    assert response.status_code == status, response.text
    return response.json()


async def _order_of_steps(handle: WorkflowHandle[Any, Any]) -> list[tuple[str, str]]:
    """The run's activities as its history orders them: each scheduled, then completed."""
    names: dict[int, str] = {}
    steps = []
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_scheduled_event_attributes"):
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            names[event.event_id] = name
            steps.append(("scheduled", name))
        elif event.HasField("activity_task_completed_event_attributes"):
            scheduled = event.activity_task_completed_event_attributes.scheduled_event_id
            steps.append(("completed", names[scheduled]))
    return steps


def _cents(text: str) -> int:
    whole, _, fraction = text.partition(".")
    return int(whole) * 100 + (1 if not whole.startswith("-") else -1) * int(fraction or 0)


def _by_member(run: Any) -> dict[int, Any]:
    return {p["member_id"]: p for p in run["payouts"]}


async def _self_billed(live: Live, who: Actor, number: str) -> bytes:
    """The self-billed invoice's XML, read back from the PDF its member is served."""
    mine = expect(await live.api.get("/members/me/payouts", headers=who.headers), 200)
    [paid] = [p for p in mine if p["self_billed_invoice"] == number]
    pdf = await live.api.get(paid["document"], headers=who.headers)
    assert pdf.status_code == 200
    assert "Autofacturation" in pdf_text(pdf.content)
    _, cii = facturx.get_xml_from_pdf(pdf.content)
    assert facturx.xml_check_xsd(cii, flavor="factur-x", level="en16931")
    assert etree.fromstring(cii).findtext(f".//{{{RAM}}}TypeCode") == "389"
    assert schematron_findings(cii, EN16931) == []
    return bytes(cii)


async def _transfers(live: Live, run: Any) -> dict[str, Any]:
    """The run's transfer file, valid against its XSD: each transfer by creditor IBAN."""
    xml = await live.api.get(run["transfer_file"], headers=OPERATOR)
    assert xml.status_code == 200
    check_pain001(xml.content)
    root = etree.fromstring(xml.content)
    return {
        t.findtext(f"{PAIN}CdtrAcct/{PAIN}Id/{PAIN}IBAN"): t
        for t in root.iter(f"{PAIN}CdtTrfTxInf")
    }


async def _paid_run(live: Live, deal: FullDeal, period: str) -> Any:
    run = await _start(live, deal, period)
    await _decide(live, run, "approve")
    handle = live.temporal.get_workflow_handle(run_workflow_id(deal.world.cluster_id, period))
    await handle.result()
    return expect(await live.api.get(f"/payout-runs/{run['id']}", headers=OPERATOR), 200)


async def test_a_run_previews_holds_then_pays_each_member_once_with_its_documents(
    live: Live,
) -> None:
    deal = await _deal(live, founder_mandate=False)
    alice, founder = deal.people["alice"], deal.people["founder"]
    before = await _available(live, alice)
    period = month_paid_at(datetime.now(UTC))
    run = await _start(live, deal, period)
    assert run["status"] == "awaiting_approval"
    payouts = _by_member(run)
    # Each credited member is in the run: paid its whole available balance, or held and why.
    assert set(payouts) == {alice.id, founder.id}
    assert (payouts[alice.id]["status"], payouts[alice.id]["amount"]) == (
        "due",
        before["available"],
    )
    assert payouts[founder.id]["status"] == "held"
    assert "no self-billing mandate" in payouts[founder.id]["hold_reason"]
    assert run["total_due"] == before["available"]

    again = await _start(live, deal, period)  # the same run, found: nothing written twice
    assert again["id"] == run["id"] and again["payouts"] == run["payouts"]

    paid = await _decide(live, run, "approve")
    assert paid["id"] == run["id"]
    handle = live.temporal.get_workflow_handle(run_workflow_id(deal.world.cluster_id, period))
    await handle.result()
    run = expect(await live.api.get(f"/payout-runs/{run['id']}", headers=OPERATOR), 200)
    assert run["status"] == "paid"
    # The decision is in the store before paying starts: the two steps never run at once.
    assert await _order_of_steps(handle) == [
        ("scheduled", "prepare_payout_run"), ("completed", "prepare_payout_run"),
        ("scheduled", "record_payout_run_decision"), ("completed", "record_payout_run_decision"),
        ("scheduled", "pay_payout_run"), ("completed", "pay_payout_run"),
        ("scheduled", "notify_payout_run"), ("completed", "notify_payout_run"),
    ]  # fmt: skip
    payouts = _by_member(run)
    assert [payouts[alice.id]["status"], payouts[founder.id]["status"]] == ["paid", "held"]
    after = await _available(live, alice)
    assert (after["available"], after["paid_out"]) == ("0.00", before["available"])

    # Her statement shows the payout among her earnings, and where her balance stands.
    pdf = await live.api.get(f"/members/{alice.id}/statement.pdf", headers=alice.headers)
    statement = " ".join(pdf_text(pdf.content).split())
    assert f"Paid out for {period}" in statement
    assert f"Paid out (or set aside by a run) {after['paid_out']}" in statement
    # The transfer file: one transfer, to alice's account, quoting her self-billed invoice.
    number = payouts[alice.id]["self_billed_invoice"]
    transfers = await _transfers(live, run)
    assert set(transfers) == {_iban(ACCOUNTS["alice"])}
    [transfer] = transfers.values()
    assert number in (transfer.findtext(f"{PAIN}RmtInf/{PAIN}Ustrd") or "")
    # Her self-billed invoice (French VAT): hers and operators' only, valid, the same amount.
    cii = await _self_billed(live, alice, number)
    assert schematron_findings(cii, BR_FR) == []
    tree = etree.fromstring(cii)
    assert tree.findtext(f".//{{{RAM}}}GrandTotalAmount") == transfer.findtext(
        f"{PAIN}Amt/{PAIN}InstdAmt"
    )
    assert tree.findtext(f".//{{{RAM}}}TaxTotalAmount") != "0.00"
    path = f"/self-billed-invoices/{number}.pdf"
    assert (await live.api.get(path, headers=founder.headers)).status_code == 404
    assert (await live.api.get(path, headers=OPERATOR)).status_code == 200
    # She is emailed once, with her invoice, and never her full account number.
    [sent] = [m for m in outbox(live) if "Payout for" in str(m["Subject"])]
    assert "alice@members.example.com" in str(sent["To"])
    assert [p.get_filename() for p in sent.walk() if p.get_filename()] == [f"{number}.pdf"]
    assert _iban(ACCOUNTS["alice"]) not in sent.as_string()
    await keep_workflow_history(
        live, run_workflow_id(deal.world.cluster_id, period), "payout_run_paid"
    )
    # The period's run has ended: a second start is refused, not run again.
    body = {"cluster_id": deal.world.cluster_id, "period": period}
    assert (await live.api.post("/payout-runs", json=body, headers=OPERATOR)).status_code == 409

    # The founder agrees; the month before pays her, abroad: no VAT, the reverse charge said.
    await _agree(live, founder)
    due = _by_member(run)[founder.id]["amount"]
    run = await _paid_run(live, deal, _previous_month(period))
    payout = _by_member(run)[founder.id]
    assert (payout["status"], payout["amount"]) == ("paid", due)
    assert alice.id not in _by_member(run)  # nothing left to pay her
    cii = await _self_billed(live, founder, payout["self_billed_invoice"])
    tree = etree.fromstring(cii)
    assert tree.findtext(f".//{{{RAM}}}CategoryCode") == "AE"
    assert tree.findtext(f".//{{{RAM}}}TaxTotalAmount") == "0.00"
    [transfer] = (await _transfers(live, run)).values()
    assert transfer.findtext(f"{PAIN}Amt/{PAIN}InstdAmt") == due


def _previous_month(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


async def test_a_paused_run_waits_a_rejected_one_pays_nothing_and_the_next_pays_it(
    live: Live,
) -> None:
    deal = await _deal(live, founder_days=0.5)
    alice, founder = deal.people["alice"], deal.people["founder"]
    later = month_paid_at(datetime.now(UTC))
    earlier = _previous_month(later)
    run = await _start(live, deal, earlier)
    due = _by_member(run)[alice.id]["amount"]
    held = _by_member(run)[founder.id]
    assert held["status"] == "held" and "changed less than 48 hours ago" in held["hold_reason"]
    assert (await _available(live, alice))["available"] == "0.00"  # set aside by the run
    paused = await _decide(live, run, "pause")
    assert paused["status"] == "paused"
    refused = await _decide(live, run, "approve", status=409)
    assert "paused" in refused["detail"] or "paused" in str(refused)
    assert (await _decide(live, run, "resume"))["status"] == "awaiting_approval"
    no_reason = await _decide(live, run, "reject", status=422)
    assert "reason" in str(no_reason)
    rejected = await _decide(live, run, "reject", reason="the amounts are being checked")
    assert rejected["status"] == "rejected"
    handle = live.temporal.get_workflow_handle(run_workflow_id(deal.world.cluster_id, earlier))
    await handle.result()
    held = _by_member(
        expect(await live.api.get(f"/payout-runs/{run['id']}", headers=OPERATOR), 200)
    )
    assert held[alice.id]["status"] == "held" and "rejected" in held[alice.id]["hold_reason"]
    assert (await _available(live, alice))["available"] == due  # back for the next run
    await keep_workflow_history(
        live, run_workflow_id(deal.world.cluster_id, earlier), "payout_run_rejected"
    )

    run = await _start(live, deal, later)
    assert _by_member(run)[alice.id]["amount"] == due
    await _decide(live, run, "approve")
    await live.temporal.get_workflow_handle(run_workflow_id(deal.world.cluster_id, later)).result()
    assert (await _available(live, alice))["paid_out"] == due


async def test_a_clawback_after_payout_is_netted_against_later_credits_never_charged(
    live: Live,
) -> None:
    deal = await _deal(live)
    alice = deal.people["alice"]
    period = month_paid_at(datetime.now(UTC))
    run = await _paid_run(live, deal, period)
    paid = _cents(_by_member(run)[alice.id]["amount"])
    body = {"reason": "the client's company closed"}
    order = deal.order["number"]
    expect(await live.api.post(f"/orders/{order}/cancel", json=body, headers=OPERATOR), 200)
    for _ in range(150):
        balance = await _available(live, alice)
        if balance["owed"] != "0.00":
            break
        await asyncio.sleep(0.2)
    # The whole share was clawed back after it was paid: owed, not taken from the account.
    assert _cents(balance["owed"]) == paid
    assert balance["available"] == "0.00"
    assert _cents(balance["credited"]) == (
        _cents(balance["paid_out"])
        + _cents(balance["available"])
        + _cents(balance["pending"])
        + _cents(balance["netted"])
    )
    # A run now finds nothing to pay alice: the debt waits for her next credits.
    earlier = _previous_month(period)
    run = await _start(live, deal, earlier)
    assert alice.id not in _by_member(run)


async def test_a_founded_cluster_has_its_monthly_payout_schedule(live: Live) -> None:
    world = await found_cluster(live.api, name="Scheduled Co")
    handle = live.temporal.get_schedule_handle(schedule_id(world.cluster_id))
    described = await handle.describe()
    [calendar] = described.schedule.spec.calendars
    assert [r.start for r in calendar.day_of_month] == [1]
    assert [r.start for r in calendar.hour] == [6]
    action = described.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == "PayoutRunWorkflow"
    assert action.task_queue == live.settings.TEMPORAL_TASK_QUEUE
    # Founding it again elsewhere (the worker's start) finds it: still one Schedule.
    assert not await ensure_payout_schedule(
        live.temporal, world.cluster_id, live.settings.TEMPORAL_TASK_QUEUE
    )
