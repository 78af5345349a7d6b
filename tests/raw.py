"""Read a column as the database stores it, bypassing the model fields: how a test
proves a sealed field holds no plaintext at rest."""

from __future__ import annotations

from django.db import connection


def raw_column(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - fixed names in a test
        return [row[0] for row in cursor.fetchall()]
