"""Ledger postings of a paid commission (the split) and of a cancelled order (the clawback)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from models.commission import CommissionAct, ShareLine
from store.db import transaction
from store.ledger import post_split
from store.tables import LedgerEntry

# Fault tests only: the path of a marker file. When set and the file does not exist yet, the
# split (alone, or with the payment before its receipt) kills its own worker process right
# after its commit, once — the crash window where the postings are written but Temporal never
# hears the activity complete, and the receipt is not sent yet.
KILL_AFTER_SPLIT_COMMIT_ENV = "ARKANNA_FAULT_KILL_AFTER_SPLIT_COMMIT"


def share_lines(entries: list[LedgerEntry]) -> list[ShareLine]:
    return [ShareLine(e.member_id, e.role, e.amount_cents) for e in entries]


def crash_once_after_commit(env: str = KILL_AFTER_SPLIT_COMMIT_ENV) -> None:
    marker = os.environ.get(env)
    if not marker:
        return
    try:
        Path(marker).touch(exist_ok=False)
    except FileExistsError:
        return
    os.kill(os.getpid(), signal.SIGKILL)


class LedgerActivities:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.db = session_factory

    @activity.defn(name=CommissionAct.SPLIT)
    def post_commission_split(self, number: str) -> list[ShareLine]:
        """Splits a paid invoice into one posting per share, exactly once (status → split)."""
        with transaction(self.db) as session:
            shares = share_lines(post_split(session, number))
        crash_once_after_commit()
        return shares
