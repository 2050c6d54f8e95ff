"""Bank accounts as received (R27): IBAN and BIC validated with `schwifty`, the registry of
national IBAN formats, checksums and bank codes; only accounts of the SEPA zone can be paid by
the platform's SEPA credit transfers."""

from __future__ import annotations

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from models.bank_accounts import BankAccount
from models.errors import RuleViolation


def parse_bank_account(iban: str, bic: str | None, field: str = "iban") -> BankAccount:
    """The account, compact; a RuleViolation naming the field and the rule otherwise. A BIC
    left out is taken from the IBAN's bank when the registry knows it."""
    try:
        account = IBAN(iban)
    except SchwiftyException as exc:
        raise RuleViolation(f"not a valid IBAN: {exc}", field=field) from None
    if not account.in_sepa_zone:
        raise RuleViolation(
            f"{account.country_code} is outside the SEPA zone: payouts are SEPA transfers",
            field=field,
        )
    if bic is None:
        known = account.bic
        return BankAccount(account.compact, known.compact if known is not None else None)
    bic_field = "bic" if field == "iban" else f"{field.removesuffix('_IBAN')}_BIC"
    try:
        code = BIC(bic)
    except SchwiftyException as exc:
        raise RuleViolation(f"not a valid BIC: {exc}", field=bic_field) from None
    if code.country_code != account.country_code:
        # Monaco, San Marino and the like bank in their neighbour's system: the IBAN's own
        # bank, when known, settles it.
        known = account.bic
        if known is None or known.compact[:6] != code.compact[:6]:
            raise RuleViolation(
                f"the BIC's country ({code.country_code}) is not the IBAN's "
                f"({account.country_code})",
                field=bic_field,
            )
    return BankAccount(account.compact, code.compact)
