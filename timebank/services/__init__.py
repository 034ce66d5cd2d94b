"""Use cases: one database transaction each, committed once.

Each function takes an engine, opens a unit of work, checks the ledger's rules, writes, and commits
once; a refusal raises the ledger error named for the broken rule and leaves nothing behind.

Recognising involvement (DESIGN §4): ``create_activity``, ``record_attendance`` (reward choices,
the recognition transaction, payments and declined offers, behind the benefit guard),
``check_payment_offer`` (only for members invited to the activity: ``invite_members``,
``list_invitations``, ``withdraw_invitation``; the member's full warnings in
``read_payment_advice``), ``record_expense``, and a member's benefits declaration
(``set_declaration``, ``read_declaration``, ``delete_declaration``), each audited; a member's
benefit-safe statement (``benefit_safe_statement``), whose coordinator reads are audited; and
spending credits on what organisations offer (``create_spend_option``, ``list_spend_options``,
``withdraw_spend_option``, ``spend_credits``), with goods and vouchers checked and audited (B5).
"""

from timebank.services.activities import create_activity, get_activity
from timebank.services.attendance import record_attendance
from timebank.services.attendance_inputs import AttendeeChoice, OfferTerms
from timebank.services.benefit_statements import benefit_safe_statement, statement_json
from timebank.services.benefit_views import (
    ActivityView,
    AttendanceView,
    AttendeeResult,
    DeclarationView,
    ExpenseView,
    PaymentCheckView,
)
from timebank.services.declarations import delete_declaration, read_declaration, set_declaration
from timebank.services.exchanges import (
    cancel_exchange,
    confirm_exchange,
    decline_exchange,
    expire_pending,
    expire_pending_everywhere,
    get_exchange,
    record_exchange,
)
from timebank.services.expenses import record_expense
from timebank.services.gifts import give_credits
from timebank.services.imports import ImportRow, import_exchanges
from timebank.services.invitations import invite_members, list_invitations, withdraw_invitation
from timebank.services.payment_advice import read_payment_advice
from timebank.services.payment_guard import check_payment_offer
from timebank.services.reversals import reverse_exchange, reverse_transaction
from timebank.services.spend_views import SpendOptionPage, SpendOptionView, SpendView
from timebank.services.spending import (
    create_spend_option,
    list_spend_options,
    spend_credits,
    withdraw_spend_option,
)
from timebank.services.statements import balance_at, statement
from timebank.services.timebanks import (
    create_timebank,
    get_account,
    get_timebank,
    open_account,
    set_limits,
)
from timebank.services.views import (
    AccountView,
    ExchangeView,
    ExpiryReport,
    ImportResult,
    StatementLine,
    StatementPage,
    TimebankView,
    TransactionView,
)

__all__ = [
    "AccountView",
    "ActivityView",
    "AttendanceView",
    "AttendeeChoice",
    "AttendeeResult",
    "DeclarationView",
    "ExchangeView",
    "ExpenseView",
    "ExpiryReport",
    "ImportResult",
    "ImportRow",
    "OfferTerms",
    "PaymentCheckView",
    "SpendOptionPage",
    "SpendOptionView",
    "SpendView",
    "StatementLine",
    "StatementPage",
    "TimebankView",
    "TransactionView",
    "balance_at",
    "benefit_safe_statement",
    "cancel_exchange",
    "check_payment_offer",
    "confirm_exchange",
    "create_activity",
    "create_spend_option",
    "create_timebank",
    "decline_exchange",
    "delete_declaration",
    "expire_pending",
    "expire_pending_everywhere",
    "get_account",
    "get_activity",
    "get_exchange",
    "get_timebank",
    "give_credits",
    "import_exchanges",
    "invite_members",
    "list_invitations",
    "list_spend_options",
    "open_account",
    "read_declaration",
    "read_payment_advice",
    "record_attendance",
    "record_exchange",
    "record_expense",
    "reverse_exchange",
    "reverse_transaction",
    "set_declaration",
    "set_limits",
    "spend_credits",
    "statement",
    "statement_json",
    "withdraw_invitation",
    "withdraw_spend_option",
]
