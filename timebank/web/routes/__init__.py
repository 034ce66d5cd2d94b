"""The pages' routes, one module per job: logging in, home, recording and answering exchanges,
one's own statement, spending and giving credits, benefits, the password, the pages a message's
link opens, and the coordinators' members (``members*``: the list and a member's page, adding,
changing, recording for them, and the fields and the finding of people those forms share)."""

from timebank.web.routes import (
    benefits,
    exchanges,
    gifts,
    home,
    links,
    login,
    members,
    members_edit,
    members_fields,
    members_finder,
    members_new,
    members_record,
    password,
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
    "members",
    "members_edit",
    "members_fields",
    "members_finder",
    "members_new",
    "members_record",
    "password",
    "spending",
    "statement",
]
