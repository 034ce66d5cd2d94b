"""Contact this member: a page to write to the member who posted an offer or request, or to answer
a member who wrote about yours (the link in their message brings you here, with ``to`` and
``token``).

The page asks one thing, the message, and says what happens to it. Whatever happens (the member
reads it by email, or a coordinator passes it on), the post's page then says the same words, so
the page never reveals whether someone uses email. The rules a message meets (someone else's open
post, a member who has not left, a few messages a day) are asked before the form is shown and again
when it is sent; a refusal about the post or the day's messages is a page of its own named for its
rule, one about the words is shown beside the box with what was typed kept. One idempotency key per
rendered form: a double click sends once.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.errors import IdempotencyConflict, InvalidRequest, StateConflict, TooManyAttempts
from timebank.offers import ContactMember, MessageTargetView, contact_member, read_message_target
from timebank.web.forms import FormErrors
from timebank.web.own_statement import check_id
from timebank.web.routes.offer_post import refused_by_rule
from timebank.web.templating import new_key, render
from timebank.web.visits import Visit, VisitDep, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_MESSAGE_FIELDS = {
    "message_required": "message",
    "text_too_long": "message",
    "text_has_control_characters": "message",
}
_TOKEN_LENGTH_MAX = 64


def _reply(to: str | None, token: str | None) -> tuple[int | None, str | None]:
    """The member answered and the link's token, when both came and look like themselves."""
    if to is None and token is None:
        return None, None
    to_id = int(to) if to and to.isascii() and to.isdigit() and len(to) <= 18 else 0
    return check_id(to_id), (token or "")[:_TOKEN_LENGTH_MAX] or "-"


def _target(visit: Visit, post_id: int, to: str | None, token: str | None) -> MessageTargetView:
    check_id(post_id)
    to_member_id, reply_token = _reply(to, token)
    try:
        with refused_as_page():
            return read_message_target(
                visit.engine,
                visit.timebank_id,
                visit.caller,
                post_id,
                to_member_id=to_member_id,
                reply_token=reply_token,
            )
    except (InvalidRequest, StateConflict, TooManyAttempts) as refused:
        raise refused_by_rule(refused) from refused


def _page(
    request: Request,
    visit: Visit,
    target: MessageTargetView,
    form: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    verb = "Answer" if target.is_answer else "Send a message to"
    context = {
        "title": f"{verb} {target.to_name}",
        "visit": visit,
        "here": "/offers",
        "errors": errors or None,
        "target": target,
        "post": target.post,
        "form": form,
        "key": new_key(),
    }
    return render(request, "offer_message.html", context, status_code=status_code)


@router.get("/offers/{post_id}/message")
def message_page(
    request: Request, visit: VisitDep, post_id: int, to: str | None = None, token: str | None = None
) -> Response:
    target = _target(visit, post_id, to, token)
    form = {"to": to or "", "token": token or ""}
    return _page(request, visit, target, form, FormErrors())


@router.post("/offers/{post_id}/message")
async def send_message(request: Request, visit: VisitDep, post_id: int) -> Response:
    form = await posted_form(request, visit)
    to, token = form.get("to") or None, form.get("token") or None
    target = await run_in_threadpool(_target, visit, post_id, to, token)
    errors = FormErrors()
    text = form.get("message", "")
    if not text.strip():
        errors.add("message", "Write your message")
        return await run_in_threadpool(_page, request, visit, target, form, errors, 422)
    reply = {"to_member_id": target.to_member_id, "reply_token": token} if target.is_answer else {}
    try:
        asked = ContactMember.model_validate({"message": text, **reply})
    except ValidationError as error:
        errors.invalid(error, {"message": "message"}, {"message": "your message"})
        return await run_in_threadpool(_page, request, visit, target, form, errors, 422)
    try:
        with refused_as_page():
            await run_in_threadpool(
                contact_member,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                post_id,
                asked,
                idempotency_key=form.get("idempotency_key") or None,
            )
    except InvalidRequest as refused:
        errors.refusal(refused, _MESSAGE_FIELDS)
        return await run_in_threadpool(_page, request, visit, target, form, errors, 422)
    except IdempotencyConflict:
        errors.add(None, "This form was already used for another message. Check it and send it again")
        return await run_in_threadpool(_page, request, visit, target, form, errors, 409)
    except (StateConflict, TooManyAttempts) as refused:
        raise refused_by_rule(refused) from refused
    return RedirectResponse(f"/offers/{post_id}?done=sent", status_code=303)
