"""What each message says: plain English, built from the event alone, with no I/O.

A message names the people and the exchange (what was done, on which day, for how long, in words:
"1 hour 30 minutes"). It never names money, a benefit, or anything the benefit rules guard
(DESIGN B1, B4, B8), and never calls credits pay, wages or earnings: the words come only from the
exchange and the members' names. Every message that is not about security ends with how to stop
that kind of message, by a one-click link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from timebank.benefits.formatting import format_date, format_minutes

__all__ = [
    "Composed",
    "awaiting_confirmation",
    "email_changed",
    "exchange_answered",
    "expiry_reminder",
    "member_message",
    "member_message_to_pass_on",
    "password_changed",
    "password_code",
    "password_reset",
    "verify_address",
    "with_unsubscribe",
]

# Subjects are short: a mail client shows about this many characters.
SUBJECT_LENGTH_MAX = 150


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str


def _subject(text: str) -> str:
    return text if len(text) <= SUBJECT_LENGTH_MAX else text[: SUBJECT_LENGTH_MAX - 3] + "..."


def _what(description: str, activity_date: date, minutes: int) -> str:
    return f'"{description}" on {format_date(activity_date)}, {format_minutes(minutes)}'


def awaiting_confirmation(
    recipient_name: str,
    giver_name: str,
    description: str,
    activity_date: date,
    minutes: int,
    expiry_days: int,
    site_url: str,
) -> Composed:
    subject = f"{giver_name} recorded help they gave you. Please confirm it"
    body = (
        f"Hello {recipient_name},\n\n"
        f"{giver_name} recorded that they helped you:\n"
        f"{_what(description, activity_date, minutes)}.\n\n"
        "Nothing changes in your account until you confirm it. "
        f"Log in to confirm or decline it:\n{site_url}/\n\n"
        f"If you do neither, it closes by itself after {expiry_days} days.\n"
    )
    return Composed(_subject(subject), body)


def expiry_reminder(
    recipient_name: str,
    giver_name: str,
    description: str,
    activity_date: date,
    minutes: int,
    closes_on: date,
    site_url: str,
) -> Composed:
    subject = f"Reminder: {giver_name} is waiting for you to confirm their help"
    body = (
        f"Hello {recipient_name},\n\n"
        f"{giver_name} recorded that they helped you:\n"
        f"{_what(description, activity_date, minutes)}.\n\n"
        f"It is still waiting for you. It closes by itself on {format_date(closes_on)}. "
        f"Log in to confirm or decline it:\n{site_url}/\n"
    )
    return Composed(_subject(subject), body)


def exchange_answered(
    recipient_name: str,
    answered_by_name: str,
    confirmed: bool,
    description: str,
    activity_date: date,
    minutes: int,
    site_url: str,
) -> Composed:
    word = "confirmed" if confirmed else "declined"
    subject = f"{answered_by_name} {word} the exchange you recorded"
    outcome = (
        "The time is now in both your accounts."
        if confirmed
        else "Nothing changed in either account. You can talk to them, or to a coordinator, about it."
    )
    body = (
        f"Hello {recipient_name},\n\n"
        f"{answered_by_name} {word} the exchange you recorded:\n"
        f"{_what(description, activity_date, minutes)}.\n\n"
        f"{outcome}\n\nSee your account:\n{site_url}/\n"
    )
    return Composed(_subject(subject), body)


def verify_address(recipient_name: str, timebank_name: str, link: str, valid_hours: int) -> Composed:
    subject = f"Confirm your email address for {timebank_name}"
    body = (
        f"Hello {recipient_name},\n\n"
        f"This address was given for your account at {timebank_name}. "
        f"To confirm it is yours, open this link within {valid_hours} hours:\n{link}\n\n"
        "If you did not ask for this, you can ignore this message: nothing will be sent here "
        "unless the link is opened.\n"
    )
    return Composed(_subject(subject), body)


def password_code(recipient_name: str, timebank_name: str, code: str, link: str, valid_days: int) -> Composed:
    subject = f"Your code to set a password for {timebank_name}"
    body = (
        f"Hello {recipient_name},\n\n"
        f"A coordinator at {timebank_name} made you a code to set your password:\n\n"
        f"    {code}\n\n"
        f"Open this page and type the code within {valid_days} days. It works once:\n{link}\n\n"
        "If you did not expect this, tell your coordinator. Nobody else can use the code "
        "without this email.\n"
    )
    return Composed(_subject(subject), body)


def password_reset(recipient_name: str, timebank_name: str, link: str, valid_minutes: int) -> Composed:
    subject = f"Set a new password for {timebank_name}"
    body = (
        f"Hello {recipient_name},\n\n"
        f"Someone asked to set a new password for your account at {timebank_name}. "
        f"If it was you, open this link within {valid_minutes} minutes. It works once:\n{link}\n\n"
        "If it was not you, you can ignore this message. Your password has not changed.\n"
    )
    return Composed(_subject(subject), body)


def _when(at: datetime) -> str:
    return f"{format_date(at.date())} at {at:%H:%M} UTC"


def password_changed(recipient_name: str, timebank_name: str, how: str, at: datetime) -> Composed:
    subject = f"Your password for {timebank_name} was changed"
    body = (
        f"Hello {recipient_name},\n\n"
        f"The password for your account at {timebank_name} was changed {how} on {_when(at)}.\n\n"
        "If that was you, there is nothing more to do.\n"
        f"If it was not you, contact a coordinator at {timebank_name} straight away. "
        "They can turn your login off and give you a code to set a new password.\n"
    )
    return Composed(_subject(subject), body)


def email_changed(recipient_name: str, timebank_name: str, *, removed: bool, at: datetime) -> Composed:
    subject = f"Your email address for {timebank_name} was changed"
    what = "removed from" if removed else "changed on"
    body = (
        f"Hello {recipient_name},\n\n"
        f"This email address was {what} your account at {timebank_name} on {_when(at)}. "
        "We will not send messages here any more.\n\n"
        "If that was you, or a coordinator did it for you, there is nothing more to do.\n"
        f"If it was not, contact a coordinator at {timebank_name} straight away.\n"
    )
    return Composed(_subject(subject), body)


def _quoted(message: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in message.splitlines())


def member_message(
    recipient_name: str, sender_name: str, timebank_name: str, post_words: str, message: str, answer_link: str
) -> Composed:
    """A member's message about an offer or request (``post_words``: 'your offer "Gardening"'), with
    the link that answers it. Neither side's address is given to the other."""
    subject = f"{sender_name} wrote to you about {post_words}"
    body = (
        f"Hello {recipient_name},\n\n"
        f"{sender_name} wrote to you through {timebank_name} about {post_words}:\n\n"
        f"{_quoted(message)}\n\n"
        f"To answer {sender_name}, log in and open this link:\n{answer_link}\n\n"
        f"{sender_name} does not see your email address, and you do not see theirs. "
        "If a message worries you, tell a coordinator.\n"
    )
    return Composed(_subject(subject), body)


def member_message_to_pass_on(
    coordinator_name: str,
    recipient_name: str,
    sender_name: str,
    post_words: str,
    message: str,
    post_link: str,
) -> Composed:
    """A member's message for someone who does not get messages by email, for a coordinator to pass on."""
    subject = f"Please pass on a message to {recipient_name} from {sender_name}"
    body = (
        f"Hello {coordinator_name},\n\n"
        f"{sender_name} wrote to {recipient_name} about {post_words}. "
        f"{recipient_name} does not get messages by email, so please pass this on to them:\n\n"
        f"{_quoted(message)}\n\n"
        f"The offer or request is here:\n{post_link}\n\n"
        f"{sender_name} was told that a coordinator would pass it on.\n"
    )
    return Composed(_subject(subject), body)


def with_unsubscribe(composed: Composed, timebank_name: str, link: str) -> Composed:
    """The footer of every message that is not about security: why it came, and how to stop it."""
    footer = (
        f"\n--\n{timebank_name}\n"
        "You get this because your email address is verified for your account there. "
        f"To stop messages like this one, open:\n{link}\n"
    )
    return Composed(composed.subject, composed.body + footer)
