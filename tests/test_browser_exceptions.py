"""The Exceptions page in a real browser: a reviewer maps an unmapped SKU with the suggested SKU.

Reuses tests/test_browser.py's server (``streamlit run`` on the demo data) and Chromium fixtures.
dbt does not produce product exceptions yet, so ``unmapped_listing`` inserts one (UI-only, as the
owner) into marts.fct_order_exceptions for a real demo order, with a catalogue SKU to map it to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from psycopg2.extras import Json, RealDictCursor
from test_app import PASSWORD, email
from test_browser import _sign_in, app_url, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

TENANT = "demo"
LISTING = "BRW-LISTING-771"
SKU = "BRW-ABAYA-M"


def _rows(url: str, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
            cur.execute(sql, params)
            return [dict(r) for r in cur.fetchall()] if cur.description else []
    finally:
        conn.close()


@pytest.fixture
def unmapped_listing(app_url, pg) -> Iterator[dict[str, Any]]:  # noqa: F811
    """UI-only: one demo order with an unmapped listing whose best suggestion is a catalogue SKU."""
    order = _rows(
        pg,
        """select order_key, platform_order_name, platform_order_id, store_id, channel
           from marts.fct_orders
           where tenant_id = %s and channel = 'shopify' and cardinality(exception_types) = 0
           order by order_key limit 1""",
        (TENANT,),
    )[0]
    _rows(
        pg,
        """insert into app.products (tenant_id, sku, title, created_by, updated_by)
           values (%s, %s, 'Abaya (browser test)', 'test', 'test') on conflict do nothing""",
        (TENANT, SKU),
    )
    line = {
        "line_key": "browser-line",
        "platform_sku": None,
        "platform_listing_id": LISTING,
        "platform_key": LISTING,
        "title": "Abaya",
        "variant_title": None,
        "candidates": [{"sku": SKU, "title": "Abaya (browser test)", "score": 0.82}],
    }
    key = _rows(
        pg,
        """insert into marts.fct_order_exceptions
               (tenant_id, exception_key, order_key, store_id, channel, platform_order_id,
                platform_order_name, exception_type, reason, details, suggestions, ordered_at,
                first_seen_at, age_hours, built_at)
           select tenant_id, md5(order_key || '|browser|unmapped_product'), order_key, store_id, channel,
                  platform_order_id, platform_order_name, 'unmapped_product',
                  'Shopify listing ' || %s || ' is not in the catalogue', %s, %s, ordered_at,
                  now() - interval '2 hours', 2.0,
                  coalesce((select max(built_at) from marts.fct_order_exceptions),
                           now() - interval '1 minute')
           from marts.fct_orders where tenant_id = %s and order_key = %s
           returning exception_key""",
        (
            LISTING,
            Json({"channel": "shopify", "unmapped_lines": [line]}),
            Json(line["candidates"]),
            TENANT,
            order["order_key"],
        ),
    )[0]["exception_key"]
    yield {**order, "exception_key": key}
    _rows(pg, "delete from marts.fct_order_exceptions where exception_key = %s", (key,))
    _rows(pg, "delete from app.sku_mappings where tenant_id = %s and platform_key = %s", (TENANT, LISTING))
    _rows(
        pg, "delete from app.exception_fixes where tenant_id = %s and %s = any(exception_keys)", (TENANT, key)
    )


def test_map_an_unmapped_sku_in_the_browser(page, app_url, pg, unmapped_listing):  # noqa: F811
    from playwright.sync_api import expect

    _sign_in(page, app_url, email("reviewer", TENANT), PASSWORD)
    page.get_by_role("heading", name="Orders").wait_for()
    page.get_by_role("link", name="Exceptions").click()
    page.get_by_role("heading", name="Exceptions").wait_for()

    search = page.get_by_role("textbox", name="Search")
    search.fill(LISTING)
    search.press("Enter")
    page.get_by_role("heading", name=f"“{LISTING}” Abaya").wait_for()
    # The suggested SKU is preselected in the fix form.
    expect(page.get_by_role("combobox", name="Catalogue SKU")).to_have_value(
        f"{SKU} · Abaya (browser test) · suggested, score 0.82"
    )
    page.get_by_role("button", name="Map to this SKU").click()

    page.get_by_text("1 exception on 1 order is pending until the next pipeline run").wait_for()
    page.get_by_text(f"pending (fixed by {email('reviewer', TENANT)} at").first.wait_for()

    fix = _rows(
        pg,
        "select * from app.exception_fixes where tenant_id = %s and %s = any(exception_keys)",
        (TENANT, unmapped_listing["exception_key"]),
    )
    assert len(fix) == 1
    assert (fix[0]["action"], fix[0]["order_keys"], fix[0]["created_by"]) == (
        "map_sku",
        [unmapped_listing["order_key"]],
        email("reviewer", TENANT),
    )
    assert _rows(
        pg,
        """select channel, store_id, sku, created_by from app.sku_mappings
           where tenant_id = %s and platform_key = %s""",
        (TENANT, LISTING),
    ) == [{"channel": "shopify", "store_id": None, "sku": SKU, "created_by": email("reviewer", TENANT)}]
    audit = _rows(
        pg,
        "select user_email, action from app.audit_log where entity = 'exception_fix' and entity_key = %s",
        (str(fix[0]["fix_id"]),),
    )
    assert audit == [{"user_email": email("reviewer", TENANT), "action": "exception.map_sku"}]
