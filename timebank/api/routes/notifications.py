"""Being told: a member's email address, their choice of messages, and the links in the messages.

The address is seen and set only by the member and coordinators; a new one is unverified until
the link sent to it is followed (``POST /v1/email/verify``). Preferences name the kinds of message
a member gets; the kinds about security are always sent. The two link operations need no login:
the token in the link is the proof.
"""

from __future__ import annotations

from fastapi import APIRouter

from timebank.api.deps import CallerDep, EngineDep, IdPath, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.notifications.addresses import read_email, set_email, verify_email
from timebank.notifications.preferences import read_preferences, set_preferences, unsubscribe
from timebank.notifications.requests import ChoosePreferences, SetEmail, Unsubscribe, VerifyEmail
from timebank.notifications.views import EmailVerifiedView, EmailView, PreferencesView, UnsubscribedView

__all__ = ["router"]

router = APIRouter(tags=["notifications"], route_class=JsonRoute)

_MEMBER = "/v1/timebanks/{tb}/members/{member_id}"


@router.get(f"{_MEMBER}/email", operation_id="get_member_email", response_model=EmailView)
def get_email(tb: TimebankPath, member_id: IdPath, engine: EngineDep, caller: CallerDep) -> EmailView:
    """Read a member's email address and whether it is verified (the member or a coordinator)."""
    return read_email(engine, tb, caller, member_id)


@router.put(f"{_MEMBER}/email", operation_id="set_member_email", response_model=EmailView)
def put_email(
    tb: TimebankPath, member_id: IdPath, body: SetEmail, engine: EngineDep, caller: CallerDep
) -> EmailView:
    """Set, change or remove a member's email address; a new one is sent a verification link."""
    return set_email(engine, tb, caller, member_id, body)


@router.post("/v1/email/verify", operation_id="verify_email", response_model=EmailVerifiedView)
def verify(body: VerifyEmail, engine: EngineDep) -> EmailVerifiedView:
    """Verify an email address by the token in the link sent to it (no login needed)."""
    return verify_email(engine, body)


@router.get(
    f"{_MEMBER}/notification-preferences",
    operation_id="get_notification_preferences",
    response_model=PreferencesView,
)
def get_preferences(
    tb: TimebankPath, member_id: IdPath, engine: EngineDep, caller: CallerDep
) -> PreferencesView:
    """Read which kinds of message a member gets (the member or a coordinator)."""
    return read_preferences(engine, tb, caller, member_id)


@router.put(
    f"{_MEMBER}/notification-preferences",
    operation_id="set_notification_preferences",
    response_model=PreferencesView,
)
def put_preferences(
    tb: TimebankPath, member_id: IdPath, body: ChoosePreferences, engine: EngineDep, caller: CallerDep
) -> PreferencesView:
    """Choose which kinds of message a member gets; messages about security are always sent."""
    return set_preferences(engine, tb, caller, member_id, body)


@router.post("/v1/notifications/unsubscribe", operation_id="unsubscribe", response_model=UnsubscribedView)
def post_unsubscribe(body: Unsubscribe, engine: EngineDep) -> UnsubscribedView:
    """Stop one kind of message by the token in its unsubscribe link (no login needed)."""
    return unsubscribe(engine, body)
