"""The pages' routes, one module per job: logging in, home, recording and answering exchanges,
changing your password."""

from timebank.web.routes import exchanges, home, login, password

__all__ = ["exchanges", "home", "login", "password"]
