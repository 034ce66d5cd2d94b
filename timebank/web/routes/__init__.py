"""The pages' routes, one module per job: logging in, home, recording and answering exchanges,
one's own statement, spending and giving credits, benefits, the password, and the pages a
message's link opens."""

from timebank.web.routes import (
    audit_log,
    benefits,
    exchanges,
    gifts,
    home,
    links,
    login,
    password,
    reversals,
    settings,
    spending,
    statement,
    waiting,
)

__all__ = [
    "audit_log",
    "benefits",
    "exchanges",
    "gifts",
    "home",
    "links",
    "login",
    "password",
    "reversals",
    "settings",
    "spending",
    "statement",
    "waiting",
]
