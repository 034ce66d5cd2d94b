"""Every way the ledger can refuse, named for the rule that was broken.

A refusal is never a crash: it is a value with a stable ``code`` that callers may rely on (the API
puts it in the problem document; tests assert on it). The tree below is in the order the checks
run: first the request itself (is it well formed?), then what it names (does it exist here?), then
who asks (may they?), then the state it meets (is the exchange still pending? was it reversed?),
and last the limits (would a balance cross its floor or cap?).

    LedgerError                    ledger_error
    ├── InvalidRequest             invalid_request: the request breaks a rule on its own
    │   ├── MinutesMustBeWhole          minutes_must_be_whole
    │   ├── MinutesMustBePositive       minutes_must_be_positive
    │   ├── MinutesAboveTransferLimit   minutes_above_transfer_limit
    │   ├── AccountsMustDiffer          accounts_must_differ
    │   ├── ReceiversRequired           receivers_required
    │   ├── TooManyReceivers            too_many_receivers
    │   ├── ReceiverRepeated            receiver_repeated
    │   ├── ActivityDateInFuture        activity_date_in_future
    │   ├── ActivityDateTooFarBack      activity_date_too_far_back
    │   ├── TextTooLong                 text_too_long
    │   ├── ReasonRequired              reason_required
    │   ├── FloorMustNotBePositive      floor_must_not_be_positive
    │   ├── CapMustNotBeNegative        cap_must_not_be_negative
    │   ├── PotFloorMustBeZero          pot_floor_must_be_zero
    │   ├── TooManyRows                 too_many_rows
    │   ├── CursorInvalid               cursor_invalid
    │   ├── PageLimitOutOfRange         page_limit_out_of_range
    │   ├── TextHasControlCharacters    text_has_control_characters
    │   ├── TagInvalid                  tag_invalid
    │   ├── RoleUnknown                 role_unknown
    │   ├── IdempotencyKeyRequired      idempotency_key_required
    │   ├── UsernameInvalid             username_invalid
    │   ├── PasswordInvalid             password_invalid
    │   ├── ReportWindowEmpty           report_window_empty
    │   ├── ReportWindowTooLong         report_window_too_long
    │   ├── ReportGroupAmbiguous        report_group_ambiguous
    │   ├── RatingThresholdOutOfRange   rating_threshold_out_of_range
    │   ├── RatingThresholdsOutOfOrder  rating_thresholds_out_of_order
    │   ├── ImportRejected              import_rejected (carries every row's errors)
    │   ├── TextRequired                text_required
    │   ├── PenceMustBeWhole            pence_must_be_whole
    │   ├── PenceMustBePositive         pence_must_be_positive
    │   ├── PenceAboveLimit             pence_above_limit
    │   ├── ExpenseEvidenceMissing      expense_evidence_missing
    │   ├── ExpenseAboveEvidence        expense_above_evidence
    │   ├── MilesMustBeWhole            miles_must_be_whole
    │   ├── MilesMustBePositive         miles_must_be_positive
    │   ├── MilesAboveLimit             miles_above_limit
    │   ├── MileageRateMustBeWhole      mileage_rate_must_be_whole
    │   ├── MileageRateMustBePositive   mileage_rate_must_be_positive
    │   ├── MileageRateAboveLimit       mileage_rate_above_limit
    │   ├── PeriodMustEndAfterStart     period_must_end_after_start
    │   ├── WeekMustBeSevenDays         week_must_be_seven_days
    │   ├── MonthMustBeOneMonth         month_must_be_one_month
    │   ├── PaymentNotOffered           payment_not_offered
    │   ├── ReducedPaymentMissing       reduced_payment_missing
    │   ├── ReducedPaymentNotBelowOffer reduced_payment_not_below_offer
    │   ├── CharityNameMissing          charity_name_missing
    │   ├── ChoiceDetailNotWanted       choice_detail_not_wanted
    │   ├── AttendeesRequired           attendees_required
    │   ├── TooManyAttendees            too_many_attendees
    │   ├── TooManyInvitations          too_many_invitations
    │   ├── AttendeeRepeated            attendee_repeated
    │   ├── AttendanceAboveActivityLength   attendance_above_activity_length
    │   ├── MemberAccountRequired       member_account_required
    │   ├── ActivityNotYetHeld          activity_not_yet_held
    │   ├── BenefitCategoriesRequired   benefit_categories_required
    │   ├── BenefitCategoryUnknown      benefit_category_unknown
    │   ├── PaymentAcknowledgementRequired  payment_acknowledgement_required
    │   ├── SpendClassUnknown           spend_class_unknown
    │   ├── SpendAcknowledgementRequired    spend_acknowledgement_required
    │   ├── EmailInvalid                email_invalid
    │   ├── PhoneInvalid                phone_invalid
    │   └── PeriodStartsAfterToday      period_starts_after_today
    ├── NotFound                   not_found: it does not exist in this timebank
    │   ├── TimebankNotFound            timebank_not_found
    │   ├── AccountNotFound             account_not_found
    │   ├── ExchangeNotFound            exchange_not_found
    │   ├── TransactionNotFound         transaction_not_found
    │   ├── MemberNotFound              member_not_found
    │   ├── OrganisationNotFound        organisation_not_found
    │   ├── ApiKeyNotFound              api_key_not_found
    │   ├── ActivityNotFound            activity_not_found
    │   └── SpendOptionNotFound         spend_option_not_found
    ├── NotAllowed                 not_allowed: this actor may not do this
    │   ├── CoordinatorRequired         coordinator_required
    │   ├── AccountHolderRequired       account_holder_required
    │   ├── PotCannotExchange           pot_cannot_exchange
    │   ├── NotAPartyToExchange         not_a_party_to_exchange
    │   ├── AdminRequired               admin_required
    │   ├── SelfOrCoordinatorRequired   self_or_coordinator_required
    │   ├── OrganisationStaffRequired   organisation_staff_required
    │   └── MemberSaySoRequired         member_say_so_required
    ├── StateConflict              state_conflict: the object is not in a state that allows it
    │   ├── ExchangeAlreadyConfirmed    exchange_already_confirmed
    │   ├── ExchangeAlreadyDeclined     exchange_already_declined
    │   ├── ExchangeAlreadyCancelled    exchange_already_cancelled
    │   ├── ExchangeAlreadyExpired      exchange_already_expired
    │   ├── ExchangeNotConfirmed        exchange_not_confirmed
    │   ├── ConsentAlreadyGiven         consent_already_given
    │   ├── TransactionAlreadyReversed  transaction_already_reversed
    │   ├── ReversalCannotBeReversed    reversal_cannot_be_reversed
    │   ├── UsernameTaken               username_taken
    │   ├── LastCoordinatorRequired     last_coordinator_required
    │   ├── NotEnoughData               not_enough_data: a group too small to show (charts)
    │   ├── AttendanceAlreadyRecorded   attendance_already_recorded
    │   ├── InvitationRequired          invitation_required
    │   └── SpendOptionWithdrawn        spend_option_withdrawn
    ├── LimitBreached              limit_breached: a balance would leave its limits
    │   ├── BalanceBelowFloor           balance_below_floor
    │   ├── BalanceAboveCap             balance_above_cap
    │   └── LimitExcludesBalance        limit_excludes_balance
    ├── IdempotencyConflict        idempotency_conflict
    │   ├── IdempotencyKeyReused        idempotency_key_reused
    │   └── IdempotencyKeyInFlight      idempotency_key_in_flight
    ├── NotAuthenticated           not_authenticated: we do not know who is asking
    │   ├── CredentialsInvalid          credentials_invalid
    │   └── TokenInvalid                token_invalid
    ├── TooManyAttempts            too_many_attempts: slow down
    │   └── LoginAttemptsExceeded       login_attempts_exceeded
    └── ServerBusy                 server_busy: too much slow work at once; nothing done, try again

``ServerBusy`` stands apart from that order: it breaks no rule of the request, but says the server
already runs as much of one kind of slow work as it may (``timebank.busy``), and it is
raised before that work or anything else of the request's is done.

A refused operation changes nothing (invariant L5): services raise these before writing, and the
unit of work rolls back whatever was begun. (One addition: a payment or a spend refused for want of
an acknowledgement leaves the audit rows of the check that refused it; see ``services.attendance``
and ``services.spending``.)

The refusals from ``TextRequired`` to ``AttendanceAboveActivityLength`` are the benefits core's own
rules (``timebank.benefits.errors``), with the same codes: the services turn the core's first breach
into the class of that code and put every breach in the detail. ``TextTooLong``, the minutes rules and
``AccountsMustDiffer`` already had classes, which serve both.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AccountHolderRequired",
    "AccountNotFound",
    "AccountsMustDiffer",
    "ActivityDateInFuture",
    "ActivityDateTooFarBack",
    "ActivityNotFound",
    "ActivityNotYetHeld",
    "AdminRequired",
    "ApiKeyNotFound",
    "AttendanceAboveActivityLength",
    "AttendanceAlreadyRecorded",
    "AttendeeRepeated",
    "AttendeesRequired",
    "BalanceAboveCap",
    "BalanceBelowFloor",
    "BenefitCategoriesRequired",
    "BenefitCategoryUnknown",
    "CapMustNotBeNegative",
    "CharityNameMissing",
    "ChoiceDetailNotWanted",
    "ConsentAlreadyGiven",
    "CoordinatorRequired",
    "CredentialsInvalid",
    "CursorInvalid",
    "EmailInvalid",
    "ExchangeAlreadyCancelled",
    "ExchangeAlreadyConfirmed",
    "ExchangeAlreadyDeclined",
    "ExchangeAlreadyExpired",
    "ExchangeNotConfirmed",
    "ExchangeNotFound",
    "ExpenseAboveEvidence",
    "ExpenseEvidenceMissing",
    "FloorMustNotBePositive",
    "IdempotencyConflict",
    "IdempotencyKeyInFlight",
    "IdempotencyKeyRequired",
    "IdempotencyKeyReused",
    "ImportRejected",
    "InvalidRequest",
    "InvitationRequired",
    "LastCoordinatorRequired",
    "LedgerError",
    "LimitBreached",
    "LimitExcludesBalance",
    "LoginAttemptsExceeded",
    "MemberAccountRequired",
    "MemberNotFound",
    "MemberSaySoRequired",
    "MileageRateAboveLimit",
    "MileageRateMustBePositive",
    "MileageRateMustBeWhole",
    "MilesAboveLimit",
    "MilesMustBePositive",
    "MilesMustBeWhole",
    "MinutesAboveTransferLimit",
    "MinutesMustBePositive",
    "MinutesMustBeWhole",
    "MonthMustBeOneMonth",
    "NotAPartyToExchange",
    "NotAllowed",
    "NotAuthenticated",
    "NotEnoughData",
    "NotFound",
    "OrganisationNotFound",
    "OrganisationStaffRequired",
    "PageLimitOutOfRange",
    "PasswordInvalid",
    "PaymentAcknowledgementRequired",
    "PaymentNotOffered",
    "PenceAboveLimit",
    "PenceMustBePositive",
    "PenceMustBeWhole",
    "PeriodMustEndAfterStart",
    "PeriodStartsAfterToday",
    "PhoneInvalid",
    "PotCannotExchange",
    "PotFloorMustBeZero",
    "RatingThresholdOutOfRange",
    "RatingThresholdsOutOfOrder",
    "ReasonRequired",
    "ReceiverRepeated",
    "ReceiversRequired",
    "ReducedPaymentMissing",
    "ReducedPaymentNotBelowOffer",
    "ReportGroupAmbiguous",
    "ReportWindowEmpty",
    "ReportWindowTooLong",
    "ReversalCannotBeReversed",
    "RoleUnknown",
    "RowError",
    "SelfOrCoordinatorRequired",
    "ServerBusy",
    "SpendAcknowledgementRequired",
    "SpendClassUnknown",
    "SpendOptionNotFound",
    "SpendOptionWithdrawn",
    "StateConflict",
    "TagInvalid",
    "TextHasControlCharacters",
    "TextRequired",
    "TextTooLong",
    "TimebankNotFound",
    "TokenInvalid",
    "TooManyAttempts",
    "TooManyAttendees",
    "TooManyInvitations",
    "TooManyReceivers",
    "TooManyRows",
    "TransactionAlreadyReversed",
    "TransactionNotFound",
    "UsernameInvalid",
    "UsernameTaken",
    "WeekMustBeSevenDays",
    "all_error_codes",
]


class LedgerError(Exception):
    """Base of every refusal. ``code`` is stable; ``detail`` is a plain-English sentence."""

    code = "ledger_error"
    title = "The ledger refused this request"

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.title
        super().__init__(self.detail)


# --- the request breaks a rule on its own -------------------------------------------------------


class InvalidRequest(LedgerError):
    code = "invalid_request"
    title = "The request breaks a ledger rule"


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


class TooManyRows(InvalidRequest):
    code = "too_many_rows"
    title = "Too many rows in one import"


class CursorInvalid(InvalidRequest):
    code = "cursor_invalid"
    title = "This page cursor is not one we gave out"


class PageLimitOutOfRange(InvalidRequest):
    code = "page_limit_out_of_range"
    title = "The page size is out of range"


class TextHasControlCharacters(InvalidRequest):
    code = "text_has_control_characters"
    title = "Text may not contain control characters"


class TagInvalid(InvalidRequest):
    code = "tag_invalid"
    title = "A tag is lower-case letters, digits and underscores"


class RoleUnknown(InvalidRequest):
    code = "role_unknown"
    title = "Roles are member and coordinator"


class IdempotencyKeyRequired(InvalidRequest):
    code = "idempotency_key_required"
    title = "An Idempotency-Key header is needed for a request that moves credits"


class UsernameInvalid(InvalidRequest):
    code = "username_invalid"
    title = "A username is 3 to 100 lower-case letters, digits, dots, dashes or underscores"


class PasswordInvalid(InvalidRequest):
    code = "password_invalid"
    title = "A password is 8 to 200 characters"


class ReportWindowEmpty(InvalidRequest):
    code = "report_window_empty"
    title = "A report's window must end after it starts"


class ReportWindowTooLong(InvalidRequest):
    code = "report_window_too_long"
    title = "A report's window is too long"


class ReportGroupAmbiguous(InvalidRequest):
    code = "report_group_ambiguous"
    title = "A report is for one group at most: a tag or an organisation"


class RatingThresholdOutOfRange(InvalidRequest):
    code = "rating_threshold_out_of_range"
    title = "A rating threshold is a whole percentage from 0 to 100"


class RatingThresholdsOutOfOrder(InvalidRequest):
    """A figure's two thresholds the wrong way round for its direction (see ``timebank.reports.ratings``).

    Where higher is better, amber must start at or below where green starts; for the top-20% share,
    where lower is better, green must end at or below where red begins.
    """

    code = "rating_thresholds_out_of_order"
    title = "A figure's rating thresholds are the wrong way round"


@dataclass(frozen=True)
class RowError:
    """One refused row of a bulk import: its 1-based number, the rule's code and a sentence."""

    row: int
    code: str
    detail: str


class ImportRejected(InvalidRequest):
    """A bulk import with at least one bad row. Nothing was written; ``errors`` lists every row."""

    code = "import_rejected"
    title = "The import was refused; nothing was recorded"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} row(s) broke a rule; nothing was recorded")


# --- the benefits core's rules (timebank.benefits.errors), as refusals --------------------------


class TextRequired(InvalidRequest):
    code = "text_required"
    title = "A text field is needed"


class PenceMustBeWhole(InvalidRequest):
    code = "pence_must_be_whole"
    title = "Money must be a whole number of pence"


class PenceMustBePositive(InvalidRequest):
    code = "pence_must_be_positive"
    title = "An amount of money must be more than zero"


class PenceAboveLimit(InvalidRequest):
    code = "pence_above_limit"
    title = "The amount of money is above the limit"


class ExpenseEvidenceMissing(InvalidRequest):
    code = "expense_evidence_missing"
    title = "An expense needs a receipt or a mileage calculation"


class ExpenseAboveEvidence(InvalidRequest):
    code = "expense_above_evidence"
    title = "An expense cannot be more than its evidence shows"


class MilesMustBeWhole(InvalidRequest):
    code = "miles_must_be_whole"
    title = "Miles must be a whole number"


class MilesMustBePositive(InvalidRequest):
    code = "miles_must_be_positive"
    title = "Miles must be more than zero"


class MilesAboveLimit(InvalidRequest):
    code = "miles_above_limit"
    title = "Too many miles for one claim"


class MileageRateMustBeWhole(InvalidRequest):
    code = "mileage_rate_must_be_whole"
    title = "The pence per mile must be a whole number"


class MileageRateMustBePositive(InvalidRequest):
    code = "mileage_rate_must_be_positive"
    title = "The pence per mile must be more than zero"


class MileageRateAboveLimit(InvalidRequest):
    code = "mileage_rate_above_limit"
    title = "The pence per mile is above the limit"


class PeriodMustEndAfterStart(InvalidRequest):
    code = "period_must_end_after_start"
    title = "A period must end after it starts"


class WeekMustBeSevenDays(InvalidRequest):
    code = "week_must_be_seven_days"
    title = "A week is seven days"


class MonthMustBeOneMonth(InvalidRequest):
    code = "month_must_be_one_month"
    title = "A monthly period is one month"


class PaymentNotOffered(InvalidRequest):
    code = "payment_not_offered"
    title = "This choice needs a payment offer"


class ReducedPaymentMissing(InvalidRequest):
    code = "reduced_payment_missing"
    title = "A smaller payment needs its amount"


class ReducedPaymentNotBelowOffer(InvalidRequest):
    code = "reduced_payment_not_below_offer"
    title = "A smaller payment must be less than the offer"


class CharityNameMissing(InvalidRequest):
    code = "charity_name_missing"
    title = "A payment to a charity needs the charity's name"


class ChoiceDetailNotWanted(InvalidRequest):
    code = "choice_detail_not_wanted"
    title = "This choice takes no smaller amount or charity"


class AttendeesRequired(InvalidRequest):
    code = "attendees_required"
    title = "An activity's attendance needs at least one attendee"


class TooManyAttendees(InvalidRequest):
    code = "too_many_attendees"
    title = "Too many attendees for one activity"


class TooManyInvitations(InvalidRequest):
    code = "too_many_invitations"
    title = "Too many members invited to one activity"


class AttendeeRepeated(InvalidRequest):
    code = "attendee_repeated"
    title = "An attendee is listed twice"


class AttendanceAboveActivityLength(InvalidRequest):
    code = "attendance_above_activity_length"
    title = "An attendee cannot have given more time than the activity lasted"


# --- recognising involvement ---------------------------------------------------------------------


class MemberAccountRequired(InvalidRequest):
    code = "member_account_required"
    title = "This must be a member's account, not an organisation's or the pot"


class ActivityNotYetHeld(InvalidRequest):
    code = "activity_not_yet_held"
    title = "Attendance is recorded once the activity's day has come"


class BenefitCategoriesRequired(InvalidRequest):
    code = "benefit_categories_required"
    title = "A benefits declaration needs at least one category; to declare none, delete it"


class BenefitCategoryUnknown(InvalidRequest):
    code = "benefit_category_unknown"
    title = "This is not one of the benefit categories"


class PaymentAcknowledgementRequired(InvalidRequest):
    """A payment to a member who declared benefits needs the organisation's explicit acknowledgement.

    ``account_ids`` are the attendees whose payment needs one; the detail holds the warnings as the
    organisation may read them (naming no benefit).
    """

    code = "payment_acknowledgement_required"
    title = "This payment may affect a member's benefits: record an acknowledgement first"

    def __init__(self, detail: str | None = None, account_ids: tuple[int, ...] = ()) -> None:
        self.account_ids = account_ids
        super().__init__(detail)


class SpendClassUnknown(InvalidRequest):
    code = "spend_class_unknown"
    title = "A spend option's class is member_time, community_activity, goods or voucher"


class SpendAcknowledgementRequired(InvalidRequest):
    """Spending credits on goods or a voucher, for a member who declared benefits, needs their say-so.

    The detail is written for the member, who reads it: it names no benefit, says the spend may
    affect their benefits, and asks them to confirm (B5). Nothing was spent.
    """

    code = "spend_acknowledgement_required"
    title = "This may affect your benefits: please confirm that you understand before you go ahead"


class EmailInvalid(InvalidRequest):
    code = "email_invalid"
    title = "An email address is a name, an @ and a domain with a dot, with no spaces"


class PhoneInvalid(InvalidRequest):
    code = "phone_invalid"
    title = "A phone number is digits, with spaces, brackets, dashes and a leading + allowed"


class PeriodStartsAfterToday(InvalidRequest):
    """A benefit-safe statement covers days up to today and never a day after it (B7)."""

    code = "period_starts_after_today"
    title = "A statement covers days up to today; this period starts after today"


# --- it does not exist in this timebank ---------------------------------------------------------


class NotFound(LedgerError):
    code = "not_found"
    title = "Not found"


class TimebankNotFound(NotFound):
    code = "timebank_not_found"
    title = "No such timebank"


class AccountNotFound(NotFound):
    code = "account_not_found"
    title = "No such account in this timebank"


class ExchangeNotFound(NotFound):
    code = "exchange_not_found"
    title = "No such exchange in this timebank"


class TransactionNotFound(NotFound):
    code = "transaction_not_found"
    title = "No such transaction in this timebank"


class MemberNotFound(NotFound):
    code = "member_not_found"
    title = "No such member in this timebank"


class OrganisationNotFound(NotFound):
    code = "organisation_not_found"
    title = "No such organisation in this timebank"


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    title = "No such API key for this organisation"


class ActivityNotFound(NotFound):
    code = "activity_not_found"
    title = "No such activity for this organisation in this timebank"


class SpendOptionNotFound(NotFound):
    code = "spend_option_not_found"
    title = "No such spend option in this timebank"


# --- this actor may not do this -----------------------------------------------------------------


class NotAllowed(LedgerError):
    code = "not_allowed"
    title = "You may not do this"


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


class AdminRequired(NotAllowed):
    code = "admin_required"
    title = "Only a platform admin may do this"


class SelfOrCoordinatorRequired(NotAllowed):
    code = "self_or_coordinator_required"
    title = "Only the holder or a coordinator may see this"


class OrganisationStaffRequired(NotAllowed):
    code = "organisation_staff_required"
    title = "Only a coordinator or the organisation's staff may do this"


class MemberSaySoRequired(NotAllowed):
    code = "member_say_so_required"
    title = "A coordinator may change a member's benefits declaration only with the member's say-so"


# --- the object is not in a state that allows it ------------------------------------------------


class StateConflict(LedgerError):
    code = "state_conflict"
    title = "Not possible in the current state"


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


class ConsentAlreadyGiven(StateConflict):
    code = "consent_already_given"
    title = "You have already confirmed this exchange"


class TransactionAlreadyReversed(StateConflict):
    code = "transaction_already_reversed"
    title = "This was already reversed"


class ReversalCannotBeReversed(StateConflict):
    code = "reversal_cannot_be_reversed"
    title = "A reversal cannot itself be reversed"


class UsernameTaken(StateConflict):
    code = "username_taken"
    title = "This username is already taken"


class LastCoordinatorRequired(StateConflict):
    """Taking the coordinator role from a timebank's last coordinator, which would leave nobody to run it."""

    code = "last_coordinator_required"
    title = "A timebank needs at least one coordinator"


class NotEnoughData(StateConflict):
    code = "not_enough_data"
    title = "The group has too few members to show figures"


class AttendanceAlreadyRecorded(StateConflict):
    code = "attendance_already_recorded"
    title = "This member's attendance at this activity is already recorded"


class InvitationRequired(StateConflict):
    """A payment is offered, or checked against the benefit guard, only for a member linked to the activity.

    Invited, or (for a check) already recorded as attending. The rule keeps the guard from being
    asked about every member of the timebank (B4). ``account_ids`` are the members not linked.
    """

    code = "invitation_required"
    title = "Invite this member to the activity first: only invited members can be offered a payment"

    def __init__(self, detail: str | None = None, account_ids: tuple[int, ...] = ()) -> None:
        self.account_ids = account_ids
        super().__init__(detail)


class SpendOptionWithdrawn(StateConflict):
    code = "spend_option_withdrawn"
    title = "This spend option has been withdrawn; credits can no longer be spent on it"


# --- a balance would leave its limits -----------------------------------------------------------


class LimitBreached(LedgerError):
    code = "limit_breached"
    title = "A balance would leave its limits"


class BalanceBelowFloor(LimitBreached):
    code = "balance_below_floor"
    title = "Not enough credits: the balance would go below its floor"


class BalanceAboveCap(LimitBreached):
    code = "balance_above_cap"
    title = "The balance would go above its cap"


class LimitExcludesBalance(LimitBreached):
    code = "limit_excludes_balance"
    title = "The new limit would leave the current balance outside it"


# --- idempotency --------------------------------------------------------------------------------


class IdempotencyConflict(LedgerError):
    code = "idempotency_conflict"
    title = "Idempotency conflict"


class IdempotencyKeyReused(IdempotencyConflict):
    code = "idempotency_key_reused"
    title = "This idempotency key was already used for a different request"


class IdempotencyKeyInFlight(IdempotencyConflict):
    code = "idempotency_key_in_flight"
    title = "A request with this idempotency key is still running; retry shortly"


# --- who is asking ------------------------------------------------------------------------------
class NotAuthenticated(LedgerError):
    code = "not_authenticated"
    title = "Log in first"


class CredentialsInvalid(NotAuthenticated):
    code = "credentials_invalid"
    title = "The username or password is wrong"


class TokenInvalid(NotAuthenticated):
    code = "token_invalid"
    title = "This token is unknown, expired or logged out"


# --- slow down ----------------------------------------------------------------------------------
class TooManyAttempts(LedgerError):
    code = "too_many_attempts"
    title = "Too many attempts"

    def __init__(self, detail: str | None = None, retry_after_seconds: int = 60) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(detail)


class LoginAttemptsExceeded(TooManyAttempts):
    code = "login_attempts_exceeded"
    title = "Too many failed logins; wait before trying again"


# --- the server is busy -------------------------------------------------------------------------
class ServerBusy(LedgerError):
    """Too many requests of one slow kind at once (password checks, charts, PDFs); nothing was done.

    Not the caller's fault, unlike ``TooManyAttempts``: the same request a moment later may succeed.
    """

    code = "server_busy"
    title = "The server is busy; try again shortly"

    def __init__(self, detail: str | None = None, retry_after_seconds: int = 1) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(detail)


def all_error_codes() -> dict[str, type[LedgerError]]:
    """Every error class by its code, walking the tree; used by the docs and the API mapping."""
    found: dict[str, type[LedgerError]] = {}
    pending: list[type[LedgerError]] = [LedgerError]
    while pending:
        cls = pending.pop()
        found[cls.code] = cls
        pending.extend(cls.__subclasses__())
    return found
