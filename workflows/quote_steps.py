"""Small deterministic steps of the quote workflow: what the founder check looks at, and the
search attributes operators query."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.money import format_cents
    from models.quote_payloads import FounderCheck, QuoteState
    from workflows import search


def founder_check_of(cluster_id: int, state: QuoteState) -> FounderCheck:
    """What the founder check looks at: each founder component and the founder's own lines."""
    components = [
        (line.position, line.founder_component.offer_id)
        for line in state.lines
        if line.founder_component is not None
    ]
    own = [
        (line.position, line.offer_id)
        for line in state.lines
        if line.supplier_id == state.founder_id
    ]
    return FounderCheck(cluster_id, components, own)


def upsert_now(state: QuoteState, attributes: bool = True) -> None:
    """The status, total and suppliers operators filter quotes by (unless the workflow's start
    already set them: `attributes` False), and the UI's summary."""
    pending = search.pending_of(state)
    if attributes:
        workflow.upsert_search_attributes(search.quote_state_attributes(state))
    people = {person.id: person for person in state.people}
    waiting = [
        f"{people[i].name} ({people[i].company}, #{i})" if i in people else f"#{i}" for i in pending
    ]
    workflow.set_current_details(
        f"**{state.number}** revision {state.revision} — **{state.status}**\n\n"
        f"client {state.client.company}, total {format_cents(state.total_cents)} {state.currency} "
        f"before tax; waiting on: {', '.join(waiting) or 'nobody'}"
    )
