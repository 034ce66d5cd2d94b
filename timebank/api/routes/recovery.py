"""Ways back in: set-password codes, reset links, and logins turned off and on.

A coordinator issues a member a code (``issue_password_code``), shown once, to print or email; the
member uses it without a login (``use_password_code``). A member with a checked email asks for a
reset link (``ask_for_password_reset``, answered 202 whoever is named) and follows it
(``reset_password``). A coordinator turns a login off or on with a reason.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from timebank.api.deps import CallerDep, EngineDep, IdPath, PasswordSlot, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.people.recovery import (
    ask_for_reset,
    issue_password_code,
    reset_password,
    turn_login_off,
    turn_login_on,
    use_password_code,
)
from timebank.people.requests import (
    AskForReset,
    IssuePasswordCode,
    ResetPassword,
    TurnLoginOff,
    TurnLoginOn,
    UsePasswordCode,
)
from timebank.people.views import LoginStateView, PasswordCodeView, PasswordSetView

__all__ = ["router"]

router = APIRouter(tags=["auth"], route_class=JsonRoute)

_MEMBER = "/v1/timebanks/{tb}/members/{member_id}"


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post(
    f"{_MEMBER}/password-code",
    operation_id="issue_password_code",
    status_code=201,
    response_model=PasswordCodeView,
)
def issue(
    tb: TimebankPath, member_id: IdPath, body: IssuePasswordCode, engine: EngineDep, caller: CallerDep
) -> PasswordCodeView:
    """Make a member a one-time set-password code (coordinator). The code is shown only in this answer."""
    return issue_password_code(engine, tb, caller, member_id, body)


@router.post(
    "/v1/auth/password-code",
    operation_id="use_password_code",
    response_model=PasswordSetView,
    dependencies=[PasswordSlot],
)
def use(request: Request, body: UsePasswordCode, engine: EngineDep) -> PasswordSetView:
    """Set a password with a coordinator's code (no login needed); a member without a login gets one."""
    return use_password_code(engine, body, _address(request))


@router.post(
    "/v1/auth/password-reset-request",
    operation_id="ask_for_password_reset",
    status_code=202,
    response_class=Response,
)
def ask(request: Request, body: AskForReset, engine: EngineDep) -> Response:
    """Ask for a reset link by email. The answer is the same whether or not anyone matched."""
    ask_for_reset(engine, body, _address(request))
    return Response(status_code=202)


@router.post(
    "/v1/auth/password-reset",
    operation_id="reset_password",
    response_model=PasswordSetView,
    dependencies=[PasswordSlot],
)
def reset(body: ResetPassword, engine: EngineDep) -> PasswordSetView:
    """Set a new password with the token from a reset link (no login needed). Every session ends."""
    return reset_password(engine, body)


@router.post(f"{_MEMBER}/login/off", operation_id="turn_login_off", response_model=LoginStateView)
def off(
    tb: TimebankPath, member_id: IdPath, body: TurnLoginOff, engine: EngineDep, caller: CallerDep
) -> LoginStateView:
    """Turn a member's login off (coordinator): its sessions end at once."""
    return turn_login_off(engine, tb, caller, member_id, body)


@router.post(f"{_MEMBER}/login/on", operation_id="turn_login_on", response_model=LoginStateView)
def on(
    tb: TimebankPath, member_id: IdPath, body: TurnLoginOn, engine: EngineDep, caller: CallerDep
) -> LoginStateView:
    """Turn a member's login back on (coordinator)."""
    return turn_login_on(engine, tb, caller, member_id, body)
