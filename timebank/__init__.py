"""timebank: a ledger of time credits. One hour given is one time credit, whatever the skill."""

__all__ = ["__version__"]
__version__ = "0.1.0"
