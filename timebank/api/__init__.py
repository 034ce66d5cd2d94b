"""The HTTP API: thin FastAPI routes over the use cases. Nothing else in timebank imports it."""

__all__: list[str] = []
