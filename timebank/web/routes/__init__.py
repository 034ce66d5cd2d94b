"""The pages' routes, one module per job: logging in, home, recording and answering exchanges, benefits."""

from timebank.web.routes import benefits, exchanges, home, login

__all__ = ["benefits", "exchanges", "home", "login"]
