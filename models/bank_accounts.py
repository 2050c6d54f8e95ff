"""A member's bank account as payouts use it (R27), and how it is shown: never in full.

Standard library only; the account is validated where it is received (`api/bank_accounts.py`,
with the `schwifty` registry of IBAN formats and banks).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BankAccount:
    iban: str  # compact, upper case: FR1420041010050500013M02606
    bic: str | None  # 8 or 11 characters, when given or known from the IBAN


def masked_iban(iban: str) -> str:
    """ "FR14 •••• 2606": the country and check digits, then the last four characters only —
    enough for a member to recognise its account, useless to anyone else."""
    compact = iban.replace(" ", "").upper()
    if len(compact) < 8:
        return "••••"
    return f"{compact[:4]} •••• {compact[-4:]}"
