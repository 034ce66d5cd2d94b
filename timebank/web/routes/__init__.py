"""The pages' routes, one module per job: logging in, home, recording and answering exchanges,
one's own statement, spending and giving credits, benefits, the password, and the pages a
message's link opens."""

from timebank.web.routes import (
    benefits,
    exchanges,
    gifts,
    home,
    links,
    login,
    password,
    reports,
    spending,
    statement,
)

__all__ = [
    "benefits",
    "exchanges",
    "gifts",
    "home",
    "links",
    "login",
    "password",
    "reports",
    "spending",
    "statement",
]
