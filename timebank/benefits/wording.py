"""The words member-facing text never uses of time credits, and a check that finds them (DESIGN B8).

Whether credits touch a member's benefits can turn on what they are: hour-for-hour, cashless
credits that cannot be exchanged for goods are not earnings (ministerial statement of 15 June
2000, as quoted by Timebanking UK), while credits with a price, as in LETS, were counted as earnings
(Hansard, written answer of 30 July 1997). Words shape how a member, an organisation and a benefit
office see them. So credits are *given*, *received*, *spent* and *recognised*; never the words
below. Each group says why it is here.

The check works two ways. ``find_forbidden_words`` finds every forbidden word in a text that is
about credits only (a balance page, an exchange message). ``find_credit_wording_problems`` is for
text that also speaks of money, as a statement must ("payments made to you: £20"): it looks only in
the sentences that name credits (time credits, not Universal Credit or tax credits), so a sentence
may be about payments or about credits, never both.
Text about credits should therefore say "credits" where it means them. Both checks skip the
approved sentences, which use a forbidden word only to deny it ("no cash value"), exactly as
written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "APPROVED_SENTENCES",
    "FIXED_NOTICES",
    "FORBIDDEN_WORDS",
    "NOT_COUNTED_AS_EARNINGS",
    "NO_CASH_VALUE",
    "SPENT_ON_GOODS_OR_VOUCHERS",
    "ForbiddenWords",
    "WordingProblem",
    "find_credit_wording_problems",
    "find_forbidden_words",
]


@dataclass(frozen=True, slots=True)
class ForbiddenWords:
    """A group of word forms never used of credits, and the reason."""

    forms: tuple[str, ...]
    reason: str


FORBIDDEN_WORDS: tuple[ForbiddenWords, ...] = (
    ForbiddenWords(
        (
            "pay",
            "pays",
            "paying",
            "paid",
            "payment",
            "payments",
            "payout",
            "payouts",
            "payable",
            "repay",
            "repaid",
        ),
        "Pay is money for work. Credits called pay read as a payment, and payments count as earnings.",
    ),
    ForbiddenWords(
        ("wage", "wages", "salary", "salaries", "remuneration", "fee", "fees"),
        "Wages, salary and fees are earnings from a job; credits are not a job's reward.",
    ),
    ForbiddenWords(
        ("earn", "earns", "earned", "earning", "earnings", "earner"),
        "Earnings is the word benefit rules count. Credits are received, not earned, in what members read "
        "(the ledger's earned_minutes counter is internal and never shown by that name).",
    ),
    ForbiddenWords(
        ("income", "incomes"),
        "Income is what means-tested benefits take into account; credits must not be described as it.",
    ),
    ForbiddenWords(
        ("cash", "cashed", "cashing", "cashable", "money", "pound", "pounds", "pence", "penny", "£"),
        "Credits have no cash value (B1). A money amount beside credits suggests they have one.",
    ),
    ForbiddenWords(
        ("price", "prices", "priced", "pricing", "rate", "rates", "worth"),
        "A price, rate or worth makes credits priced and negotiable: the LETS credits counted as earnings.",
    ),
    ForbiddenWords(
        (
            "buy",
            "buys",
            "buying",
            "bought",
            "sell",
            "sells",
            "selling",
            "sold",
            "purchase",
            "purchased",
            "refund",
            "refunded",
            "redeem",
            "redeemed",
            "convert",
            "converted",
        ),
        "Credits cannot be bought, sold, refunded or turned into money or goods (B1); "
        "the benefits disregard rests on it.",
    ),
)

NO_CASH_VALUE = "Time credits have no cash value and cannot be exchanged for cash or goods."
# NO_CASH_VALUE, and the disregard NOT_COUNTED_AS_EARNINGS cites, hold only while no credits were
# spent on goods or a voucher. Where some were, a statement says this instead, never the opposite.
SPENT_ON_GOODS_OR_VOUCHERS = (
    "Some of these time credits were spent on goods or a voucher, as listed here. "
    "Time credits spent on goods or vouchers may need to be reported to the benefit office."
)
NOT_COUNTED_AS_EARNINGS = (
    "The government has said that time credits are not counted as earnings for income-related benefits, "
    "as long as they are not exchanged for goods (ministerial statement of 15 June 2000, quoted by "
    "Timebanking UK)."
)
APPROVED_SENTENCES: tuple[str, ...] = (NO_CASH_VALUE, NOT_COUNTED_AS_EARNINGS)
# The notices a statement prints word for word; only the approved ones use a forbidden word.
FIXED_NOTICES: tuple[str, ...] = (*APPROVED_SENTENCES, SPENT_ON_GOODS_OR_VOUCHERS)

_REASONS = {form: group.reason for group in FORBIDDEN_WORDS for form in group.forms}
_WORDS = sorted((form for form in _REASONS if form.isalpha()), key=len, reverse=True)
# Whole words only ("learn" is not "earn", "accurate" is not "rate"); "£" stands on its own.
_FORBIDDEN = re.compile(r"\b(?:" + "|".join(_WORDS) + r")\b|£", re.IGNORECASE)
# Universal Credit and the tax credits are benefits, not time credits: sentences about them are
# about money and may say "earnings" (the Universal Credit work allowance counts earnings).
_CREDIT_MENTION = re.compile(r"(?<!universal )(?<!tax )\bcredit(?:s|ed)?\b", re.IGNORECASE)
# A sentence ends at . ! or ? before a capital, a quote, a bracket or £, or at a line break; so
# "reg. 60" and "£195.50" stay inside their sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(£])|\n+")


@dataclass(frozen=True, slots=True)
class WordingProblem:
    """A forbidden word found: as written, where it starts in the text, and why it is forbidden."""

    word: str
    start: int
    reason: str


def _without_approved(text: str) -> str:
    # Blank the approved sentences out with spaces, so positions in the text stay true.
    for sentence in APPROVED_SENTENCES:
        text = text.replace(sentence, " " * len(sentence))
    return text


def _problems(text: str, offset: int) -> list[WordingProblem]:
    return [
        WordingProblem(match.group(), offset + match.start(), _REASONS[match.group().lower()])
        for match in _FORBIDDEN.finditer(text)
    ]


def find_forbidden_words(text: str) -> tuple[WordingProblem, ...]:
    """Every forbidden word in ``text``, a text wholly about credits, outside the approved sentences."""
    return tuple(_problems(_without_approved(text), 0))


def find_credit_wording_problems(text: str) -> tuple[WordingProblem, ...]:
    """Forbidden words in the sentences of ``text`` that name credits, outside the approved sentences."""
    cleaned = _without_approved(text)
    problems: list[WordingProblem] = []
    start = 0
    for boundary in [*_SENTENCE_END.finditer(cleaned), None]:
        end = len(cleaned) if boundary is None else boundary.start()
        sentence = cleaned[start:end]
        if _CREDIT_MENTION.search(sentence):
            problems += _problems(sentence, start)
        start = end if boundary is None else boundary.end()
    return tuple(problems)
