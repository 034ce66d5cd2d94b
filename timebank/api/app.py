"""The FastAPI application. For now it answers a health check; the ledger's routes come next."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import text

from timebank.db import make_engine

__all__ = ["create_app"]


def create_app() -> FastAPI:
    app = FastAPI(title="timebank", version="0.1.0")
    engine = make_engine()

    @app.get("/v1/health", operation_id="health")
    def health() -> dict[str, str]:
        """Report whether the service and its database answer."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "database": engine.dialect.name}

    return app
