"""The pages' routes, one module per job: logging in, home, recording and answering exchanges."""

from timebank.web.routes import exchanges, home, login

__all__ = ["exchanges", "home", "login"]
