"""Repositories: the only code that speaks SQL to the ledger's tables.

Each takes an open connection inside a unit of work's transaction, reads and writes plain values,
and never commits. Every query names the timebank, so one timebank can never see another's rows.
"""

from timebank.db.repositories.access import AccessRepository, ApiKeyRecord, CallerRecord, LoginRecord
from timebank.db.repositories.accounts import AccountRepository
from timebank.db.repositories.activities import ActivityRecord, ActivityRepository, AttendanceRecord
from timebank.db.repositories.audit import AuditRecord, AuditRepository
from timebank.db.repositories.benefit_statements import (
    AttendedRow,
    BenefitStatementRepository,
    CreditMovementRow,
)
from timebank.db.repositories.bulk import BulkWriter
from timebank.db.repositories.declarations import DeclarationRecord, DeclarationRepository
from timebank.db.repositories.erasure import ErasureRepository, ErasureSubject
from timebank.db.repositories.exchanges import ExchangeRepository
from timebank.db.repositories.history import HistoryRow, HistoryWriter
from timebank.db.repositories.idempotency import IdempotencyRecord, IdempotencyRepository
from timebank.db.repositories.import_uploads import (
    ImportSummaryRecord,
    ImportUploadRecord,
    ImportUploadRepository,
)
from timebank.db.repositories.imports import ImportRecord, ImportRepository
from timebank.db.repositories.invitations import AdviceRecord, InvitationRecord, InvitationRepository
from timebank.db.repositories.limits import LimitChangeRepository
from timebank.db.repositories.member_records import (
    AttendedActivityRow,
    InvitedActivityRow,
    MemberRecordRepository,
    SpentRow,
)
from timebank.db.repositories.members import (
    MemberRecord,
    MemberRepository,
    OrganisationRecord,
    OrganisationRepository,
)
from timebank.db.repositories.money import (
    DeclinedPaymentRecord,
    ExpenseRecord,
    MoneyRepository,
    PaidRow,
    PaymentRecord,
)
from timebank.db.repositories.notifications import (
    NotificationRepository,
    OutboxRecord,
    PreferencesRecord,
    Recipient,
    VerificationRecord,
)
from timebank.db.repositories.offers import CategoryRecord, NewPost, OfferRepository, PostRecord
from timebank.db.repositories.rating_thresholds import RatingThresholdRecord, RatingThresholdRepository
from timebank.db.repositories.recovery import LoginOfMember, PasswordCodeRecord, RecoveryRepository
from timebank.db.repositories.report_rollups import ReportRollups
from timebank.db.repositories.reports import ReportRepository
from timebank.db.repositories.spend_options import SpendOptionRecord, SpendOptionRepository, SpendRecord
from timebank.db.repositories.timebank_rows import TimebankRows
from timebank.db.repositories.timebanks import TimebankRepository, TimebankSettings
from timebank.db.repositories.transactions import TransactionRepository, TransactionRow
from timebank.db.repositories.transfers import StatementRow, TransferRepository

__all__ = [
    "AccessRepository",
    "AccountRepository",
    "ActivityRecord",
    "ActivityRepository",
    "AdviceRecord",
    "ApiKeyRecord",
    "AttendanceRecord",
    "AttendedActivityRow",
    "AttendedRow",
    "AuditRecord",
    "AuditRepository",
    "BenefitStatementRepository",
    "BulkWriter",
    "CallerRecord",
    "CategoryRecord",
    "CreditMovementRow",
    "DeclarationRecord",
    "DeclarationRepository",
    "DeclinedPaymentRecord",
    "ErasureRepository",
    "ErasureSubject",
    "ExchangeRepository",
    "ExpenseRecord",
    "HistoryRow",
    "HistoryWriter",
    "IdempotencyRecord",
    "IdempotencyRepository",
    "ImportRecord",
    "ImportRepository",
    "ImportSummaryRecord",
    "ImportUploadRecord",
    "ImportUploadRepository",
    "InvitationRecord",
    "InvitationRepository",
    "InvitedActivityRow",
    "LimitChangeRepository",
    "LoginOfMember",
    "LoginRecord",
    "MemberRecord",
    "MemberRecordRepository",
    "MemberRepository",
    "MoneyRepository",
    "NewPost",
    "NotificationRepository",
    "OfferRepository",
    "OrganisationRecord",
    "OrganisationRepository",
    "OutboxRecord",
    "PaidRow",
    "PasswordCodeRecord",
    "PaymentRecord",
    "PostRecord",
    "PreferencesRecord",
    "RatingThresholdRecord",
    "RatingThresholdRepository",
    "Recipient",
    "RecoveryRepository",
    "ReportRepository",
    "ReportRollups",
    "SpendOptionRecord",
    "SpendOptionRepository",
    "SpendRecord",
    "SpentRow",
    "StatementRow",
    "TimebankRepository",
    "TimebankRows",
    "TimebankSettings",
    "TransactionRepository",
    "TransactionRow",
    "TransferRepository",
    "VerificationRecord",
]
