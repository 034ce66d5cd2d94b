"""The pages' routes, one module per job: logging in, home, recording and answering exchanges,
one's own statement, spending and giving credits, benefits, downloading one's data, the password,
and the pages a message's link opens."""

from timebank.web.routes import (
    benefits,
    email,
    exchanges,
    gifts,
    home,
    links,
    login,
    member_data,
    password,
    recovery,
    spending,
    statement,
)

__all__ = [
    "benefits",
    "email",
    "exchanges",
    "gifts",
    "home",
    "links",
    "login",
    "member_data",
    "password",
    "recovery",
    "spending",
    "statement",
]
