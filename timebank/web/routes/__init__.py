"""The pages' routes, one module per job: logging in, home, recording and answering exchanges,
one's own statement, spending and giving credits, benefits, and the password."""

from timebank.web.routes import benefits, exchanges, gifts, home, login, password, spending, statement

__all__ = ["benefits", "exchanges", "gifts", "home", "login", "password", "spending", "statement"]
