"""The pages' routes, one module per job: logging in, home, recording and answering exchanges,
spending credits and giving them."""

from timebank.web.routes import exchanges, gifts, home, login, spending

__all__ = ["exchanges", "gifts", "home", "login", "spending"]
