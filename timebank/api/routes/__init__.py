"""The API's routes, one module per resource."""

__all__: list[str] = []
