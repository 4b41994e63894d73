"""Connections. psycopg2 for the pipeline (COPY), SQLAlchemy engines for pandas and the app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.extensions
from sqlalchemy import Engine, create_engine

from warehouse import settings


def connect(url: str | None = None, *, application_name: str = "oms") -> psycopg2.extensions.connection:
    """A psycopg2 connection to the owner URL (or the one given)."""
    return psycopg2.connect(url or settings.database_url(), application_name=application_name)


@contextmanager
def transaction(url: str | None = None) -> Iterator[psycopg2.extensions.cursor]:
    """A cursor in one transaction: committed on success, rolled back on error, then closed."""
    conn = connect(url)
    try:
        with conn:
            with conn.cursor() as cur:
                yield cur
    finally:
        conn.close()


def engine(url: str | None = None, **kwargs) -> Engine:
    return create_engine(settings.sqlalchemy_url(url or settings.database_url()), **kwargs)
