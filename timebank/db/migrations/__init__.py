"""Alembic migrations, shipped inside the package so an installed timebank can migrate itself."""
