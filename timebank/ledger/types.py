"""The ledger's nouns: small frozen values with no behaviour and no I/O.

An *account* holds credits in whole minutes. A *transfer* moves ``minutes > 0`` from a source
account to a different target account; a *transaction* is one or more transfers written together.
An *exchange* is the record of help given: one giver, one or more receivers, each with the minutes
they received. Time flows from giver to receiver, so credits flow the other way, from each receiver
to the giver. Nothing here knows about databases or HTTP.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "AccountKind",
    "AccountState",
    "Actor",
    "BalanceOnLeaving",
    "ClosedBecause",
    "ExchangeRecord",
    "ExchangeStatus",
    "PostedTransfer",
    "ReceiverShare",
    "TransactionKind",
    "TransferIntent",
]


class AccountKind(enum.StrEnum):
    MEMBER = "member"
    ORGANISATION = "organisation"
    POT = "pot"


class TransactionKind(enum.StrEnum):
    """Why credits moved. Reports keep everything but ``exchange`` apart from member trade.

    ``recognition``: an organisation crediting the members who chose credits for taking part in
    one of its activities (one transfer per member, from the organisation's account).
    ``membership_end``: a leaving member's whole balance moved to the pot, or, when it was below
    zero, the pot covering it, as their membership ends in a timebank that moves balances so.
    ``opening_balance``: the balances a timebank brings from another system when it moves in, each
    from the pot (or, for a balance below zero, to it); never an exchange, so no reciprocity figure.
    """

    EXCHANGE = "exchange"
    GIFT = "gift"
    POT_DONATION = "pot_donation"
    POT_GRANT = "pot_grant"
    REVERSAL = "reversal"
    RECOGNITION = "recognition"
    MEMBERSHIP_END = "membership_end"
    OPENING_BALANCE = "opening_balance"


class BalanceOnLeaving(enum.StrEnum):
    """What a timebank does with a member's balance when their membership ends (its setting).

    ``kept``: the balance stays on the closed account, as it was. ``to_pot``: the whole balance moves
    to the pot in one ``membership_end`` transaction; a balance below zero is covered by the pot.
    """

    KEPT = "kept"
    TO_POT = "to_pot"


class ExchangeStatus(enum.StrEnum):
    """``pending → confirmed | declined | cancelled | expired``; ``confirmed → reversed``."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REVERSED = "reversed"


class ClosedBecause(enum.StrEnum):
    """Why a pending exchange was closed by something other than its parties' own answer.

    ``membership_ended``: one of its parties' membership ended while it waited, so it was cancelled
    rather than left waiting for a consent that can no longer come.
    """

    MEMBERSHIP_ENDED = "membership_ended"


@dataclass(frozen=True)
class Actor:
    """Who asks. ``caller`` names them for idempotency and audit (``member:12``, ``system``).

    ``account_id`` is the account they hold and may spend from (a member's own account, or an
    organisation's account for its staff); a coordinator may act for anyone in the timebank.
    """

    caller: str
    account_id: int | None = None
    is_coordinator: bool = False

    def holds(self, account_id: int) -> bool:
        return self.account_id is not None and self.account_id == account_id


@dataclass(frozen=True)
class AccountState:
    """An account's counters and limits as read inside a transaction.

    ``closed``: the account's membership has ended, so it neither gives nor receives any more.
    """

    account_id: int
    timebank_id: int
    kind: AccountKind
    balance_minutes: int
    earned_minutes: int
    spent_minutes: int
    floor_minutes: int
    cap_minutes: int | None
    version: int
    closed: bool = False


@dataclass(frozen=True)
class TransferIntent:
    """A transfer someone asks for, not yet checked or posted."""

    source_account_id: int
    target_account_id: int
    minutes: int


@dataclass(frozen=True)
class PostedTransfer:
    """A checked transfer with each side's balance after it (for running-balance statements)."""

    source_account_id: int
    target_account_id: int
    minutes: int
    source_balance_after_minutes: int
    target_balance_after_minutes: int


@dataclass(frozen=True)
class ReceiverShare:
    account_id: int
    minutes: int


@dataclass(frozen=True)
class ExchangeRecord:
    """An exchange as stored, with who still has to consent before it posts."""

    exchange_id: int
    timebank_id: int
    giver_account_id: int
    receivers: tuple[ReceiverShare, ...]
    status: ExchangeStatus
    activity_date: date
    description: str
    category: str | None
    recorded_by: str
    recorded_by_account_id: int | None
    awaiting_consent_from: frozenset[int]
    transaction_id: int | None
    created_at: datetime
    # Once reversed: the reversal's transaction and the reason a coordinator gave for it.
    reversal_transaction_id: int | None = None
    reversal_reason: str | None = None
    # Closed by something other than its parties' answer (a party's membership ended).
    closed_because: ClosedBecause | None = None
    # The offer or request it was recorded from, if any (DESIGN §10).
    post_id: int | None = None
