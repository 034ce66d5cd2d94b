"""Recognising involvement without harming benefits: the pure rules (DESIGN §4, B1–B8).

Services thank people for the time they give to forums, boards and panels. Time credits that stay
hour-for-hour and cashless do not touch welfare benefits; money can. This package holds the rules
that keep the two apart and warn before money would do harm, as values and pure functions with
no database, no web framework and no I/O. Storage, services, the API, the PDF and the audit log
build on it; it imports only the standard library and ``timebank.ledger``, and nothing in the
ledger, storage or reports imports it.

    errors          every broken rule as a breach with a stable code; BenefitRulesBroken (a ValueError)
    periods         Monday-start weeks and monthly periods (calendar months or UC assessment periods)
    limits          the UK limits as dated, editable settings; the 2025/26 defaults and their sources
    money           expenses against evidence, payments, declined and redirected payments (pence)
    choices         the reward choice (credits, payment, reduced payment, decline, charity) and
                    what each means for money
    activities      activities, their classification, attendance, and the recognition plan (minutes)
    categories      the coarse benefit categories a member may declare, and the limits each brings
    advice          the guards' warnings, for the member and (naming no benefit) for the organisation
    guards          a proposed payment against the member's payments and limits (B5, B6)
    spending        the default reward, and spend options of goods or vouchers (B5)
    wording         words never used of credits, and the check that finds them (B8)
    statement       the benefit-safe statement's model (B7)
    statement_text  the statement's plain-English lines, and a letter for the benefit office
    formatting      pence as pounds, minutes as hours and minutes, dates in words

Credits are whole minutes; money is whole pence; no float holds either, and no function converts
one into the other.
"""

from timebank.benefits import (
    advice,
    categories,
    errors,
    formatting,
    guards,
    limits,
    money,
    periods,
    spending,
    statement,
    statement_text,
    wording,
)
from timebank.benefits.activities import (
    ATTENDEES_MAX,
    Activity,
    ActivityClassification,
    Attendance,
    RecognitionPlan,
    plan_recognition,
)
from timebank.benefits.advice import BenefitWarning, WarningCode
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import (
    CHOICE_MEANINGS,
    ChoiceMeaning,
    MoneyRecordKind,
    PaymentOffer,
    Reward,
    money_for_choice,
)
from timebank.benefits.errors import BenefitRulesBroken, Breach, BreachCode
from timebank.benefits.guards import (
    LimitCheck,
    LimitStatus,
    PaidInvolvement,
    PaymentGuard,
    PeriodTotal,
    check_payment,
    period_totals,
)
from timebank.benefits.limits import DEFAULT_SCHEDULE, BenefitLimit, LimitCode, LimitSchedule
from timebank.benefits.money import (
    HMRC_PENCE_PER_MILE,
    DeclinedPayment,
    Expense,
    Mileage,
    Payment,
    PaymentKind,
    PaymentPeriod,
    Receipt,
    RedirectedPayment,
)
from timebank.benefits.periods import PeriodKind
from timebank.benefits.spending import DefaultReward, SpendClass, SpendDecision, check_spend, default_reward
from timebank.benefits.statement import (
    ActivityTaken,
    Correction,
    CreditDirection,
    CreditEntry,
    FromOrganisation,
    Party,
    Signatory,
    Statement,
)
from timebank.benefits.statement_text import (
    LineTopic,
    StatementLine,
    letter_lines,
    lines_text,
    statement_lines,
)
from timebank.benefits.wording import find_credit_wording_problems, find_forbidden_words

__all__ = [
    "ATTENDEES_MAX",
    "CHOICE_MEANINGS",
    "DEFAULT_SCHEDULE",
    "HMRC_PENCE_PER_MILE",
    "Activity",
    "ActivityClassification",
    "ActivityTaken",
    "Attendance",
    "BenefitCategory",
    "BenefitLimit",
    "BenefitRulesBroken",
    "BenefitWarning",
    "Breach",
    "BreachCode",
    "ChoiceMeaning",
    "Correction",
    "CreditDirection",
    "CreditEntry",
    "DeclinedPayment",
    "DefaultReward",
    "Expense",
    "FromOrganisation",
    "LimitCheck",
    "LimitCode",
    "LimitSchedule",
    "LimitStatus",
    "LineTopic",
    "Mileage",
    "MoneyRecordKind",
    "PaidInvolvement",
    "Party",
    "Payment",
    "PaymentGuard",
    "PaymentKind",
    "PaymentOffer",
    "PaymentPeriod",
    "PeriodKind",
    "PeriodTotal",
    "Receipt",
    "RecognitionPlan",
    "RedirectedPayment",
    "Reward",
    "Signatory",
    "SpendClass",
    "SpendDecision",
    "Statement",
    "StatementLine",
    "WarningCode",
    "advice",
    "categories",
    "check_payment",
    "check_spend",
    "default_reward",
    "errors",
    "find_credit_wording_problems",
    "find_forbidden_words",
    "formatting",
    "guards",
    "letter_lines",
    "limits",
    "lines_text",
    "money",
    "money_for_choice",
    "period_totals",
    "periods",
    "plan_recognition",
    "spending",
    "statement",
    "statement_lines",
    "statement_text",
    "wording",
]
