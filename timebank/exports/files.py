"""The files of a timebank's export: each CSV, its columns, what they mean and what they hold.

One table (``FILES``) says everything about the export's layout, and every part reads it: the
export writes each file's columns in this order, ``README.txt`` describes them from the same words,
and the import reads and checks each cell by its kind. A column's **kind** says what its cells are:

    id       the row's own number in the timebank the export came from; the import gives it a new
             one and maps every reference to it
    ref      a number naming a row of another file (its ``space``: accounts, members, ...)
    int      a whole number (minutes, pence, miles, a count), below zero only where it says so
    text     words as stored; a cell that begins with = + - @ or ' is written with an apostrophe
             in front, so that no spreadsheet runs it as a formula, and the import takes it off
    actor    who did something, in the exporting service's words (``login:7`` is login 7 there);
             the import keeps it as ``moved:login:7``, which names nobody who can log in here
    bool     ``yes`` or ``no``
    day      ``YYYY-MM-DD``
    moment   a time in UTC, ISO 8601 (``2024-05-01T10:20:30.123456+00:00``)
    tags     words separated by ``;``

``stored_as`` is the database column a cell comes from and goes back to (None for a column the
export derives, such as a member's username or an account's transfer count, which the import checks
or leaves rather than stores). Nothing here touches a database; ``timebank.db`` reads the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FILES", "FILES_BY_NAME", "KINDS", "ExportColumn", "ExportFile"]

KINDS = ("id", "ref", "int", "text", "actor", "bool", "day", "moment", "tags")


@dataclass(frozen=True)
class ExportColumn:
    name: str
    meaning: str
    kind: str
    required: bool = True
    space: str | None = None  # for id and ref: which rows' numbers
    stored_as: str | None = ""  # "" means the same as name; None: not a stored column

    @property
    def column(self) -> str | None:
        return self.name if self.stored_as == "" else self.stored_as


@dataclass(frozen=True)
class ExportFile:
    name: str
    holds: str
    table: str  # the database table its rows come from
    columns: tuple[ExportColumn, ...]

    @property
    def id_column(self) -> ExportColumn | None:
        return next((c for c in self.columns if c.kind == "id"), None)


def _id(name: str, space: str, meaning: str) -> ExportColumn:
    return ExportColumn(name, meaning, "id", space=space, stored_as="id")


def _ref(name: str, space: str, meaning: str, *, required: bool = True) -> ExportColumn:
    return ExportColumn(name, meaning, "ref", required, space)


def _col(name: str, kind: str, meaning: str, *, required: bool = True) -> ExportColumn:
    return ExportColumn(name, meaning, kind, required)


def _actor(name: str, meaning: str, *, required: bool = True) -> ExportColumn:
    return ExportColumn(
        name, f"{meaning} In the exporting service's words (login:7, api_key:3).", "actor", required
    )


_ACCOUNT = "The account (see accounts.csv)."

FILES: tuple[ExportFile, ...] = (
    ExportFile(
        "settings.csv",
        "The timebank's settings: one row.",
        "timebanks",
        (
            ExportColumn(
                "timebank_id", "The timebank's number where it was exported.", "int", stored_as="id"
            ),
            _col(
                "name", "text", "The timebank's name. The import keeps the name the new timebank was given."
            ),
            _col("created_at", "moment", "When the timebank was made there. Not imported."),
            _col(
                "default_member_floor_minutes",
                "int",
                "How far below zero a new member may go, in minutes (0 or less).",
            ),
            _col(
                "default_member_cap_minutes",
                "int",
                "The most a new member may hold, in minutes; empty: no cap.",
                required=False,
            ),
            _col(
                "default_organisation_floor_minutes",
                "int",
                "How far below zero a new organisation may go, in minutes.",
            ),
            _col(
                "minutes_per_transfer_max",
                "int",
                "The most one exchange recorded one by one may move, in minutes.",
            ),
            _col(
                "pending_expiry_days", "int", "Days after which an exchange waiting for confirmation expires."
            ),
            _col(
                "auto_confirm_pending",
                "bool",
                "Whether a waiting exchange is confirmed, not expired, after those days.",
            ),
            _col("require_both_sides", "bool", "Whether both sides must confirm every exchange."),
            _col("backdate_days_max", "int", "How many days back an exchange may be dated."),
            _col(
                "balance_on_leaving",
                "text",
                "What happens to a balance when a membership ends: kept, or to_pot.",
            ),
            _col("contact_address", "text", "The timebank's postal address, if given.", required=False),
            _col("contact_email", "text", "The timebank's email address, if given.", required=False),
            _col("contact_phone", "text", "The timebank's phone number, if given.", required=False),
        ),
    ),
    ExportFile(
        "report_ratings.csv",
        "The thresholds this timebank set for rating its report's figures red, amber or green"
        " (figures not listed use the defaults).",
        "report_rating_thresholds",
        (
            _col(
                "figure",
                "text",
                "The figure: active_rate, two_way_rate, uses_services_giving_rate, top20_share or"
                " largest_scc_share.",
            ),
            _col("red_amber_percent", "int", "Where red turns to amber, in whole percent."),
            _col("amber_green_percent", "int", "Where amber turns to green, in whole percent."),
        ),
    ),
    ExportFile(
        "accounts.csv",
        "Every account: each member's, each organisation's, and the pot (the community fund).",
        "accounts",
        (
            _id("account_id", "accounts", "The account's number."),
            _col("kind", "text", "member, organisation or pot."),
            _col("name", "text", "The name the account was opened under."),
            _col("floor_minutes", "int", "How far below zero it may go, in minutes (0 or less)."),
            _col("cap_minutes", "int", "The most it may hold, in minutes; empty: no cap.", required=False),
            _col("balance_minutes", "int", "Its balance, in minutes: earned_minutes less spent_minutes."),
            _col("earned_minutes", "int", "All the minutes it ever received, in minutes."),
            _col("spent_minutes", "int", "All the minutes it ever gave out, in minutes."),
            ExportColumn(
                "transfer_count",
                "How many transfers moved it (see transfers.csv).",
                "int",
                stored_as="version",
            ),
            _col("created_at", "moment", "When it was opened."),
            _col(
                "closed_at",
                "moment",
                "When it closed (a membership ended); empty while open.",
                required=False,
            ),
        ),
    ),
    ExportFile(
        "members.csv",
        "Every member, as coordinators see them. Passwords and logins are not here: members come"
        " without logins, and a coordinator gives each a set-password code when they want one.",
        "members",
        (
            _id("member_id", "members", "The member's number."),
            _ref("account_id", "accounts", "The member's account (see accounts.csv)."),
            ExportColumn("name", "The member's name, as others see it.", "text", stored_as="display_name"),
            ExportColumn(
                "username",
                "Their login's username, if they had a login. Not imported.",
                "text",
                False,
                stored_as=None,
            ),
            _col(
                "email", "text", "Their email address, if they gave one. Imported unchecked.", required=False
            ),
            _col("is_coordinator", "bool", "Whether they are a coordinator."),
            ExportColumn("tags", "Their tags, separated by ;.", "tags", False, stored_as=None),
            _col("created_at", "moment", "When they joined."),
            _col(
                "membership_ended_on",
                "day",
                "The last day of their membership, once it has ended.",
                required=False,
            ),
            _col("membership_ended_at", "moment", "When the end was recorded.", required=False),
            _actor("membership_ended_by", "Who recorded the end.", required=False),
            _col(
                "membership_end_reason", "text", "Why it ended, in the coordinator's words.", required=False
            ),
            _col("erased_at", "moment", "When their personal data was erased, if it was.", required=False),
        ),
    ),
    ExportFile(
        "organisations.csv",
        "Every organisation, with its account and how to reach it.",
        "organisations",
        (
            _id("organisation_id", "organisations", "The organisation's number."),
            _ref("account_id", "accounts", "Its account (see accounts.csv)."),
            _col("name", "text", "Its name."),
            _col("created_at", "moment", "When it was added."),
            _col("contact_address", "text", "Its postal address, if given.", required=False),
            _col("contact_email", "text", "Its email address, if given.", required=False),
            _col("contact_phone", "text", "Its phone number, if given.", required=False),
        ),
    ),
    ExportFile(
        "organisation_staff.csv",
        "Which members are staff of which organisation.",
        "organisation_staff",
        (
            _ref("organisation_id", "organisations", "The organisation (see organisations.csv)."),
            _ref("member_id", "members", "The member (see members.csv)."),
            _col("added_at", "moment", "When they were made staff."),
        ),
    ),
    ExportFile(
        "categories.csv",
        "The timebank's categories of offers and requests.",
        "categories",
        (
            _id("category_id", "categories", "The category's number."),
            _col("name", "text", "Its name."),
            _col("created_at", "moment", "When it was added."),
            _col(
                "retired_at",
                "moment",
                "When it was retired (no new post takes it), if it was.",
                required=False,
            ),
        ),
    ),
    ExportFile(
        "posts.csv",
        "Every offer (what a member can do for others) and request (what they need).",
        "posts",
        (
            _id("post_id", "posts", "The offer's or request's number."),
            _ref("member_id", "members", "Whose it is (see members.csv)."),
            _col("kind", "text", "offer or request."),
            _ref("category_id", "categories", "Its category (see categories.csv)."),
            _col("title", "text", "Its title."),
            _col("description", "text", "What the member wrote about it."),
            _col("area", "text", "Where, if they said.", required=False),
            _col("availability", "text", "When they are free, if they said.", required=False),
            _col("expires_on", "day", "The last day it is shown."),
            _col("status", "text", "open or closed."),
            _actor("created_by", "Who posted it."),
            _col("created_at", "moment", "When it was posted."),
            _col("updated_at", "moment", "When it was last changed."),
            _col("closed_at", "moment", "When it was closed, if it was.", required=False),
            _col("hidden_at", "moment", "When a coordinator hid it, if one did.", required=False),
            _actor("hidden_by", "Who hid it.", required=False),
            _col("hidden_reason", "text", "Why it was hidden.", required=False),
        ),
    ),
    ExportFile(
        "transactions.csv",
        "Every ledger transaction: what posted one or more transfers at once (an exchange, a gift,"
        " a grant from the pot, a recognition, a reversal, an opening balance, a membership's end).",
        "transactions",
        (
            _id("transaction_id", "transactions", "The transaction's number."),
            _col(
                "kind",
                "text",
                "exchange, gift, pot_donation, pot_grant, reversal, recognition, membership_end (the"
                " balance settled with the pot as a membership ended) or opening_balance (a balance"
                " brought from earlier records).",
            ),
            _ref(
                "reverses_transaction_id",
                "transactions",
                "For a reversal: the transaction it reverses.",
                required=False,
            ),
            _actor("created_by", "Who recorded it."),
            _col("created_at", "moment", "When it was recorded."),
            ExportColumn("reason", "A reversal's reason, if one was given.", "text", False, stored_as=None),
            ExportColumn(
                "note",
                "A gift's, donation's or grant's note, if one was written.",
                "text",
                False,
                stored_as=None,
            ),
        ),
    ),
    ExportFile(
        "transfers.csv",
        "Every transfer: minutes moved from one account to another, in the order they were posted."
        " Every balance and statement is these rows added up.",
        "transfers",
        (
            _id("transfer_id", "transfers", "The transfer's number (they were posted in this order)."),
            _ref("transaction_id", "transactions", "The transaction it belongs to (see transactions.csv)."),
            _ref("source_account_id", "accounts", "The account the minutes came from."),
            _ref("target_account_id", "accounts", "The account the minutes went to."),
            _col("minutes", "int", "The minutes moved (more than 0)."),
            _col(
                "source_balance_after_minutes", "int", "The source account's balance just after, in minutes."
            ),
            _col(
                "target_balance_after_minutes", "int", "The target account's balance just after, in minutes."
            ),
            _col("posted_at", "moment", "When it was posted."),
        ),
    ),
    ExportFile(
        "exchanges.csv",
        "Every exchange recorded: who gave help, when, what it was, and what became of it. The"
        " receivers are in exchange_receivers.csv.",
        "exchanges",
        (
            _id("exchange_id", "exchanges", "The exchange's number."),
            _col("status", "text", "pending, confirmed, declined, cancelled, expired or reversed."),
            _ref("giver_account_id", "accounts", "Who gave the help (see accounts.csv)."),
            _col("activity_date", "day", "The day the help was given."),
            _col("description", "text", "What the help was."),
            _col("category", "text", "The kind of help, if one was chosen.", required=False),
            _actor("recorded_by", "Who recorded it."),
            _ref(
                "recorded_by_account_id",
                "accounts",
                "The account they recorded it for, if any.",
                required=False,
            ),
            _col("giver_consent_needed", "bool", "Whether the giver had to confirm it."),
            _col("giver_consented_at", "moment", "When the giver confirmed it, if they did.", required=False),
            _ref(
                "transaction_id",
                "transactions",
                "The transaction that posted it, once confirmed.",
                required=False,
            ),
            _ref(
                "reversal_transaction_id",
                "transactions",
                "The transaction that reversed it, if one did.",
                required=False,
            ),
            _col("created_at", "moment", "When it was recorded."),
            _col(
                "decided_at",
                "moment",
                "When it was confirmed, declined, cancelled or expired.",
                required=False,
            ),
            _col(
                "closed_because",
                "text",
                "Why it was closed by something other than its parties (membership_ended).",
                required=False,
            ),
            _ref(
                "post_id",
                "posts",
                "The offer or request it came from, if any (see posts.csv).",
                required=False,
            ),
        ),
    ),
    ExportFile(
        "exchange_receivers.csv",
        "Who received the help of each exchange, and how many minutes each.",
        "exchange_receivers",
        (
            _ref("exchange_id", "exchanges", "The exchange (see exchanges.csv)."),
            _ref("account_id", "accounts", "Who received the help (see accounts.csv)."),
            _col("minutes", "int", "Their minutes (more than 0)."),
            _col("consent_needed", "bool", "Whether they had to confirm it."),
            _col("consented_at", "moment", "When they confirmed it, if they did.", required=False),
        ),
    ),
    ExportFile(
        "limit_changes.csv",
        "Every change to an account's floor or cap.",
        "limit_changes",
        (
            _id("limit_change_id", "limit_changes", "The change's number."),
            _ref("account_id", "accounts", _ACCOUNT),
            _col("floor_minutes_before", "int", "The floor before, in minutes."),
            _col("cap_minutes_before", "int", "The cap before, in minutes; empty: none.", required=False),
            _col("floor_minutes_after", "int", "The floor after, in minutes."),
            _col("cap_minutes_after", "int", "The cap after, in minutes; empty: none.", required=False),
            _col("reason", "text", "Why, if a reason was given.", required=False),
            _actor("changed_by", "Who changed it."),
            _col("changed_at", "moment", "When."),
        ),
    ),
    ExportFile(
        "activities.csv",
        "Activities organisations ran (a forum, a board, a panel), to recognise involvement.",
        "activities",
        (
            _id("activity_id", "activities", "The activity's number."),
            _ref("organisation_id", "organisations", "The organisation that ran it (see organisations.csv)."),
            _col("title", "text", "Its name."),
            _col("held_on", "day", "The day it was held."),
            _col("duration_minutes", "int", "How long it was, in minutes."),
            _col("classification", "text", "uses_services, volunteering or community_activity."),
            _col("purpose", "text", "What it was for."),
            _actor("created_by", "Who added it."),
            _col("created_at", "moment", "When it was added."),
        ),
    ),
    ExportFile(
        "attendance.csv",
        "Who took part in each activity, and what they chose: credits (recognised in the ledger),"
        " payment, reduced_payment, decline or charity.",
        "attendance",
        (
            _ref("activity_id", "activities", "The activity (see activities.csv)."),
            _ref("account_id", "accounts", "Who took part (see accounts.csv)."),
            _col("minutes", "int", "The time they gave, in minutes."),
            _col("reward", "text", "credits, payment, reduced_payment, decline or charity."),
            _col("chosen_at", "moment", "When the choice was recorded."),
            _actor("recorded_by", "Who recorded it."),
            _ref(
                "recognition_transaction_id",
                "transactions",
                "For credits: the transaction that recognised them.",
                required=False,
            ),
        ),
    ),
    ExportFile(
        "invitations.csv",
        "Who was invited to each activity.",
        "activity_invitations",
        (
            _ref("activity_id", "activities", "The activity (see activities.csv)."),
            _ref("account_id", "accounts", "Who was invited (see accounts.csv)."),
            _actor("invited_by", "Who invited them."),
            _col("invited_at", "moment", "When."),
        ),
    ),
    ExportFile(
        "expenses.csv",
        "Money repaid to members for costs they had, against a receipt or a mileage calculation."
        " This is money, in pence, never credits.",
        "expenses",
        (
            _id("expense_id", "expenses", "The expense's number."),
            _ref("organisation_id", "organisations", "The organisation that repaid it."),
            _ref("account_id", "accounts", "The member repaid (see accounts.csv)."),
            _ref("activity_id", "activities", "The activity it was for, if any.", required=False),
            _col("incurred_on", "day", "The day of the cost."),
            _col("description", "text", "What the cost was."),
            _col("amount_pence", "int", "The amount repaid, in pence."),
            _col("evidence_kind", "text", "receipt or mileage."),
            _col("receipt_reference", "text", "The receipt's reference, for a receipt.", required=False),
            _col("journey", "text", "The journey, for mileage.", required=False),
            _col("miles", "int", "The miles, for mileage.", required=False),
            _col("pence_per_mile", "int", "The rate per mile, in pence, for mileage.", required=False),
            _col("evidenced_pence", "int", "What the evidence shows, in pence (the amount is never more)."),
            _actor("recorded_by", "Who recorded it."),
            _col("recorded_at", "moment", "When."),
        ),
    ),
    ExportFile(
        "payments.csv",
        "Payments (cash, vouchers, gifts) made to members for taking part. Money, in pence, never credits.",
        "payments",
        (
            _id("payment_id", "payments", "The payment's number."),
            _ref("organisation_id", "organisations", "The organisation that paid."),
            _ref("account_id", "accounts", "The member paid (see accounts.csv)."),
            _ref("activity_id", "activities", "The activity it was for, if any.", required=False),
            _col("paid_on", "day", "The day it was paid."),
            _col("description", "text", "What it was for."),
            _col("amount_pence", "int", "The amount paid, in pence."),
            _col(
                "offered_pence",
                "int",
                "The amount offered, in pence, when the member took less.",
                required=False,
            ),
            _col("kind", "text", "cash, voucher or gift."),
            _col("period_kind", "text", "week or month: the period it is counted in."),
            _col("period_from_on", "day", "The first day of that period."),
            _col("period_to_on", "day", "The day after that period."),
            _col("worked_minutes", "int", "The time of work it was for, in minutes."),
            _col("acknowledgement_needed", "bool", "Whether a warning had to be acknowledged first."),
            _col(
                "acknowledgement_reference",
                "text",
                "The acknowledgement's reference, if one was needed.",
                required=False,
            ),
            _actor("recorded_by", "Who recorded it."),
            _col("recorded_at", "moment", "When."),
        ),
    ),
    ExportFile(
        "declined_payments.csv",
        "Payments a member turned down (decline) or asked to be given to a charity (charity).",
        "declined_payments",
        (
            _id("declined_payment_id", "declined_payments", "The record's number."),
            _ref("organisation_id", "organisations", "The organisation that offered it."),
            _ref("account_id", "accounts", "The member (see accounts.csv)."),
            _ref("activity_id", "activities", "The activity it was for."),
            _col("choice", "text", "decline or charity."),
            _col("declined_on", "day", "The day they chose."),
            _col("description", "text", "What it was for."),
            _col("offered_pence", "int", "The amount offered, in pence, if one was.", required=False),
            _col("kind", "text", "cash, voucher or gift, if an amount was offered.", required=False),
            _col("charity_name", "text", "The charity, for charity.", required=False),
            _actor("recorded_by", "Who recorded it."),
            _col("recorded_at", "moment", "When."),
        ),
    ),
    ExportFile(
        "spend_options.csv",
        "What organisations offer for credits (a swim, a course, a meal, goods, a voucher).",
        "spend_options",
        (
            _id("spend_option_id", "spend_options", "The option's number."),
            _ref("organisation_id", "organisations", "The organisation that offers it."),
            _col("title", "text", "What it is."),
            _col("minutes", "int", "What it costs, in minutes of credit."),
            _col("spend_class", "text", "member_time, community_activity, goods or voucher."),
            _col("active", "bool", "Whether it is still offered."),
            _actor("created_by", "Who added it."),
            _col("created_at", "moment", "When."),
            _actor("withdrawn_by", "Who withdrew it, if it was.", required=False),
            _col("withdrawn_at", "moment", "When it was withdrawn.", required=False),
        ),
    ),
    ExportFile(
        "spends.csv",
        "Every spend of credits on an option; the credits moved in the exchange it names.",
        "spends",
        (
            _id("spend_id", "spends", "The spend's number."),
            _ref("spend_option_id", "spend_options", "What was bought (see spend_options.csv)."),
            _ref("account_id", "accounts", "The member who spent (see accounts.csv)."),
            _ref("exchange_id", "exchanges", "The exchange that moved the credits (see exchanges.csv)."),
            _col("spend_class", "text", "The option's class when they spent."),
            _col("acknowledged", "bool", "Whether the member acknowledged a risk to their benefits."),
            _col("acknowledgement", "text", "What they acknowledged, in their words.", required=False),
            _actor("recorded_by", "Who recorded it."),
            _col("spent_at", "moment", "When."),
        ),
    ),
)

FILES_BY_NAME = {file.name: file for file in FILES}
