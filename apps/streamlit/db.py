"""The app's one way into the database: the least-privileged role, one tenant per transaction.

Every transaction starts with ``set_config('app.tenant_id', :tenant, true)``: row-level security
on the app and mart tables then shows only that tenant's rows, whatever a query forgets. The
setting is transaction-local, so a pooled connection never carries one tenant into another's
request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Connection, Engine, create_engine, text

from warehouse import settings


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return create_engine(
        settings.sqlalchemy_url(url),
        pool_size=5,
        max_overflow=5,
        pool_pre_ping=True,
        connect_args={"application_name": "oms-app", "options": "-c timezone=UTC"},
    )


def engine() -> Engine:
    """The app role's engine, one per process (and per URL, so a test session gets its own)."""
    return _engine_for(settings.app_database_url())


@contextmanager
def tenant_transaction(tenant_id: str) -> Iterator[Connection]:
    """A connection in one transaction, scoped to ``tenant_id`` by row-level security."""
    if not tenant_id:
        raise ValueError("a tenant is required")
    with engine().begin() as conn:
        conn.execute(text("select set_config('app.tenant_id', :tenant, true)"), {"tenant": tenant_id})
        yield conn
