"""The pages' routes, one module per job: logging in, home, recording and answering exchanges,
one's own statement, spending and giving credits, benefits, the password, and the pages a
message's link opens."""

from timebank.web.routes import (
    activities,
    api_keys,
    attendance,
    benefits,
    email,
    exchanges,
    gifts,
    home,
    links,
    login,
    member_logins,
    organisation_staff,
    organisations,
    password,
    recovery,
    spending,
    statement,
)

__all__ = [
    "activities",
    "api_keys",
    "attendance",
    "benefits",
    "email",
    "exchanges",
    "gifts",
    "home",
    "links",
    "login",
    "member_logins",
    "organisation_staff",
    "organisations",
    "password",
    "recovery",
    "spending",
    "statement",
]
