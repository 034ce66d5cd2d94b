"""The pages' routes, one module per job: logging in, home, recording and answering exchanges,
reading one's own statement."""

from timebank.web.routes import exchanges, home, login, statement

__all__ = ["exchanges", "home", "login", "statement"]
