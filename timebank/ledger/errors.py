"""The ledger's refusals: the rules of minutes, accounts, limits, consent and the exchange's life.

Leaves of the one error tree (``timebank.errors``), raised by the pure core and the exchanges it
posts, in the order the checks run: the request itself (minutes, accounts, receivers, dates, text,
limits, contact details), who asks (consent), the state it meets (an exchange's life, reversals),
and last the limits a balance may not leave. Several packages meet them: the benefits core and the
involvement use cases check minutes and text with the same rules, so the same broken rule reads
the same wherever it is found.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, LimitBreached, NotAllowed, StateConflict

__all__ = [
    "AccountHolderRequired",
    "AccountsMustDiffer",
    "ActivityDateInFuture",
    "ActivityDateTooFarBack",
    "BalanceAboveCap",
    "BalanceBelowFloor",
    "CapMustNotBeNegative",
    "ConsentAlreadyGiven",
    "CoordinatorRequired",
    "EmailInvalid",
    "ExchangeAlreadyCancelled",
    "ExchangeAlreadyConfirmed",
    "ExchangeAlreadyDeclined",
    "ExchangeAlreadyExpired",
    "ExchangeNotConfirmed",
    "FloorMustNotBePositive",
    "LimitExcludesBalance",
    "MembershipEnded",
    "MinutesAboveTransferLimit",
    "MinutesMustBePositive",
    "MinutesMustBeWhole",
    "NotAPartyToExchange",
    "PhoneInvalid",
    "PotCannotExchange",
    "PotFloorMustBeZero",
    "ReasonRequired",
    "ReceiverRepeated",
    "ReceiversRequired",
    "ReversalCannotBeReversed",
    "TextHasControlCharacters",
    "TextTooLong",
    "TooManyReceivers",
    "TransactionAlreadyReversed",
]


class MinutesMustBeWhole(InvalidRequest):
    code = "minutes_must_be_whole"
    title = "Minutes must be a whole number"


class MinutesMustBePositive(InvalidRequest):
    code = "minutes_must_be_positive"
    title = "Minutes must be more than zero"


class MinutesAboveTransferLimit(InvalidRequest):
    code = "minutes_above_transfer_limit"
    title = "Too many minutes for one transfer"


class AccountsMustDiffer(InvalidRequest):
    code = "accounts_must_differ"
    title = "Credits cannot move from an account to itself"


class ReceiversRequired(InvalidRequest):
    code = "receivers_required"
    title = "An exchange needs at least one receiver"


class TooManyReceivers(InvalidRequest):
    code = "too_many_receivers"
    title = "Too many receivers for one exchange"


class ReceiverRepeated(InvalidRequest):
    code = "receiver_repeated"
    title = "A receiver is named twice in one exchange"


class ActivityDateInFuture(InvalidRequest):
    """An exchange dated after today (UTC): help is recorded once it has been given."""

    code = "activity_date_in_future"
    title = "An exchange's day cannot be in the future"


class ActivityDateTooFarBack(InvalidRequest):
    """An exchange dated further back than the timebank's ``backdate_days_max`` allows.

    The bulk import of history is not bound by it; members and coordinators recording one by one are.
    """

    code = "activity_date_too_far_back"
    title = "An exchange's day is further back than this timebank allows"


class TextTooLong(InvalidRequest):
    code = "text_too_long"
    title = "A text field is too long"


class ReasonRequired(InvalidRequest):
    code = "reason_required"
    title = "A reason is needed"


class FloorMustNotBePositive(InvalidRequest):
    code = "floor_must_not_be_positive"
    title = "A floor must be zero or below"


class CapMustNotBeNegative(InvalidRequest):
    code = "cap_must_not_be_negative"
    title = "A cap must be zero or above"


class PotFloorMustBeZero(InvalidRequest):
    code = "pot_floor_must_be_zero"
    title = "The pot's floor is always zero"


class TextHasControlCharacters(InvalidRequest):
    code = "text_has_control_characters"
    title = "Text may not contain control characters"


class EmailInvalid(InvalidRequest):
    code = "email_invalid"
    title = "An email address is a name, an @ and a domain with a dot, with no spaces"


class PhoneInvalid(InvalidRequest):
    code = "phone_invalid"
    title = "A phone number is digits, with spaces, brackets, dashes and a leading + allowed"


class CoordinatorRequired(NotAllowed):
    code = "coordinator_required"
    title = "Only a coordinator may do this"


class AccountHolderRequired(NotAllowed):
    code = "account_holder_required"
    title = "Credits leave an account only with its holder's consent"


class PotCannotExchange(NotAllowed):
    code = "pot_cannot_exchange"
    title = "The pot takes donations and gives grants; it cannot give or receive help"


class NotAPartyToExchange(NotAllowed):
    code = "not_a_party_to_exchange"
    title = "You are not a party to this exchange"


class ExchangeAlreadyConfirmed(StateConflict):
    code = "exchange_already_confirmed"
    title = "This exchange is already confirmed"


class ExchangeAlreadyDeclined(StateConflict):
    code = "exchange_already_declined"
    title = "This exchange was declined"


class ExchangeAlreadyCancelled(StateConflict):
    code = "exchange_already_cancelled"
    title = "This exchange was cancelled"


class ExchangeAlreadyExpired(StateConflict):
    code = "exchange_already_expired"
    title = "This exchange expired before it was confirmed"


class ExchangeNotConfirmed(StateConflict):
    code = "exchange_not_confirmed"
    title = "Only a confirmed exchange can be reversed"


class MembershipEnded(StateConflict):
    """An account whose membership has ended named in a new exchange, gift, spend, recognition or
    reversal: once a membership ends, its account neither gives nor receives."""

    code = "membership_ended"
    title = "This member's membership has ended: their account can no longer give or receive"


class ConsentAlreadyGiven(StateConflict):
    code = "consent_already_given"
    title = "You have already confirmed this exchange"


class TransactionAlreadyReversed(StateConflict):
    code = "transaction_already_reversed"
    title = "This was already reversed"


class ReversalCannotBeReversed(StateConflict):
    code = "reversal_cannot_be_reversed"
    title = "A reversal cannot itself be reversed"


class BalanceBelowFloor(LimitBreached):
    code = "balance_below_floor"
    title = "Not enough credits: the balance would go below its floor"


class BalanceAboveCap(LimitBreached):
    code = "balance_above_cap"
    title = "The balance would go above its cap"


class LimitExcludesBalance(LimitBreached):
    code = "limit_excludes_balance"
    title = "The new limit would leave the current balance outside it"
