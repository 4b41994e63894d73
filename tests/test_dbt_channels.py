"""Every channel side by side in the canonical orders: Shopee, Lazada, TikTok Shop, WooCommerce,
Salla and manual orders, landed by SQL into their raw tables (payloads shaped after SOURCES.md
section 1) and app.manual_orders, built from scratch, then updated once per channel and built
incrementally. Tests run in file order on the session's embedded Postgres.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg2
import psycopg2.extensions
import pytest
from psycopg2.extras import Json
from test_dbt import dbt, fetch, land

T = "tenant-ch"
STORES = {
    "shopee": ("shopee-vn", "Asia/Ho_Chi_Minh", "VND"),
    "lazada": ("lazada-my", "Asia/Kuala_Lumpur", "MYR"),
    "tiktok": ("tiktok-th", "Asia/Bangkok", "THB"),
    "woocommerce": ("woo-ae", "Asia/Dubai", "AED"),
    "salla": ("salla-sa", "Asia/Riyadh", "SAR"),
    "manual": ("manual-sa", "Asia/Riyadh", "SAR"),
}


def shopee_order(status: str = "READY_TO_SHIP", update_time: int = 1714550400) -> dict[str, Any]:
    return {
        "order_sn": "2404098R48U37H",
        "region": "VN",
        "currency": "VND",
        "cod": True,
        "total_amount": 32119,
        "estimated_shipping_fee": 15000,
        "actual_shipping_fee": 0,
        "order_status": status,
        "payment_method": "Cash on Delivery",
        "create_time": 1714546800,  # 2024-05-01T07:00:00Z
        "update_time": update_time,
        "pay_time": 0,
        "recipient_address": {
            "name": "P******n",
            "phone": "******64",
            "town": "",
            "district": "Huyện Phước Long",
            "city": "Bạc Liêu",
            "state": "Bạc Liêu",
            "region": "VN",
            "zipcode": "",
            "full_address": "Ấp******",
        },
        "item_list": [
            {
                "item_id": 1001,
                "item_name": "Áo thun",
                "item_sku": "TSHIRT",
                "model_id": 2001,
                "model_name": "Đen, M",
                "model_sku": "TSHIRT-BLK-M",
                "model_quantity_purchased": 2,
                "model_original_price": 10000,
                "model_discounted_price": 8560,
                "weight": 0.2,
            }
        ],
        "package_list": [{"package_number": "OFG1", "logistics_status": "LOGISTICS_READY"}],
    }


def lazada_order(statuses: list[str], updated_at: str = "2024-05-01T10:00:00+08:00") -> dict[str, Any]:
    return {
        "order_id": 55501,
        "order_number": 55501,
        "created_at": "2024-05-01T09:00:00+08:00",
        "updated_at": updated_at,
        "price": "106.00",
        "shipping_fee": "4.90",
        "voucher": "0.00",
        "payment_method": "COD",
        "statuses": statuses,
        "items_count": 2,
        "customer_first_name": "Siti",
        "customer_last_name": "Aminah",
        "address_shipping": {
            "first_name": "Siti",
            "last_name": "Aminah",
            "phone": "012-345 6789",
            "phone2": "6****67",
            "address1": "12 Jalan Ampang",
            "address3": "Kuala Lumpur",
            "city": "Kuala Lumpur",
            "post_code": "50450",
            "country": "Malaysia",
        },
    }


def lazada_item(item_id: int, status: str, price: str) -> dict[str, Any]:
    return {
        "order_item_id": item_id,
        "order_id": 55501,
        "sku": f"SKU-{item_id}",
        "name": "Baju kurung",
        "item_price": price,
        "paid_price": price,
        "currency": "MYR",
        "status": status,
        "tracking_code": "",
    }


def tiktok_order(status: str = "AWAITING_SHIPMENT", update_time: int = 1714550400) -> dict[str, Any]:
    unit = {
        "sku_id": "170001",
        "seller_sku": "TEA-100G",
        "product_name": "ชาไทย",
        "sku_name": "100g",
        "sale_price": "90.00",
        "original_price": "100.00",
        "seller_discount": "10.00",
        "platform_discount": "0.00",
        "currency": "THB",
    }
    return {
        "id": "576461413038785752",
        "status": status,
        "is_cod": False,
        "payment_method_name": "Credit card",
        "create_time": 1714546800,
        "update_time": update_time,
        "payment": {
            "currency": "THB",
            "sub_total": "300.00",
            "shipping_fee": "25.00",
            "seller_discount": "30.00",
            "platform_discount": "0.00",
            "tax": "0.00",
            "total_amount": "295.00",
        },
        "recipient_address": {
            "name": "Somchai Jaidee",
            "first_name": "Somchai",
            "last_name": "Jaidee",
            "first_name_local_script": "สมชาย",
            "last_name_local_script": "ใจดี",
            "phone_number": "(+66)812345678",
            "postal_code": "10110",
            "region_code": "TH",
            "address_detail": "99 Sukhumvit Rd",
            "district_info": [
                {"address_level": "L0", "address_name": "Thailand"},
                {"address_level": "L1", "address_name": "Bangkok"},
                {"address_level": "L2", "address_name": "Khlong Toei"},
            ],
        },
        "line_items": [
            {**unit, "id": "1"},
            {**unit, "id": "2"},
            {
                **unit,
                "id": "3",
                "seller_sku": "CUP-1",
                "sku_id": "170002",
                "product_name": "Cup",
                "sale_price": "115.00",
                "original_price": "115.00",
                "seller_discount": "0.00",
            },
        ],
    }


def woo_order(
    status: str = "processing", modified_gmt: str | None = None, modified: str = "2024-05-01T14:05:00"
) -> dict:
    order: dict[str, Any] = {
        "id": 727,
        "number": "727",
        "status": status,
        "currency": "AED",
        "date_created": "2024-05-01T14:00:00",
        "date_modified": modified,
        "discount_total": "0.00",
        "shipping_total": "15.00",
        "total_tax": "5.00",
        "total": "120.00",
        "payment_method": "cod",
        "payment_method_title": "Cash on delivery",
        "billing": {
            "first_name": "Omar",
            "last_name": "Ali",
            "phone": "050 123 4567",
            "email": "omar@example.ae",
            "country": "AE",
        },
        "shipping": {
            "first_name": "Omar",
            "last_name": "Ali",
            "address_1": "Sheikh Zayed Rd",
            "city": "Dubai",
            "state": "DU",
            "postcode": "",
            "country": "AE",
        },
        "line_items": [
            {
                "id": 315,
                "name": "Perfume",
                "sku": "PRF-1",
                "quantity": 2,
                "price": 50,
                "subtotal": "100.00",
                "total": "100.00",
                "total_tax": "5.00",
            }
        ],
    }
    if modified_gmt:
        order["date_created_gmt"] = "2024-05-01T10:00:00"
        order["date_modified_gmt"] = modified_gmt
    return order


def salla_event(slug: str = "under_review", event_at: str = "Wed May 01 2024 12:05:00 GMT+0300") -> dict:
    return {
        "event": "order.created",
        "merchant": 1234509876,
        "created_at": event_at,
        "data": {
            "id": 9001,
            "reference_id": 71234,
            "status": {"name": "بإنتظار المراجعة", "slug": slug},
            "date": {"date": "2024-05-01 12:00:00.000000", "timezone_type": 3, "timezone": "Asia/Riyadh"},
            "payment_method": "cod",
            "amounts": {
                "sub_total": {"amount": 200, "currency": "SAR"},
                "shipping_cost": {"amount": 25, "currency": "SAR"},
                "tax": {"percent": "15.00", "amount": {"amount": 33.75, "currency": "SAR"}},
                "total": {"amount": 258.75, "currency": "SAR"},
            },
            "customer": {
                "first_name": "نورة",
                "last_name": "القحطاني",
                "mobile": 501234567,
                "mobile_code": "+966",
                "email": "noura@example.sa",
                "country": "السعودية",
            },
            "shipping": {
                "company": "SMSA",
                "receiver": {"name": "نورة القحطاني", "phone": "966501234567"},
                "address": {"country": "Saudi Arabia", "city": "الرياض", "shipping_address": "حي النرجس"},
            },
            "items": [
                {
                    "id": 1,
                    "name": "عطر",
                    "sku": "OUD-1",
                    "quantity": 2,
                    "amounts": {
                        "price_without_tax": {"amount": 100, "currency": "SAR"},
                        "tax": {"amount": {"amount": 30, "currency": "SAR"}},
                        "total": {"amount": 230, "currency": "SAR"},
                    },
                }
            ],
        },
    }


MANUAL_DOC = {
    "order_number": "M-1001",
    "ordered_at": "2024-05-01T12:30:00",  # naive: the store's zone (Asia/Riyadh)
    "currency": "SAR",
    "payment_method": "cod",
    "buyer_name": "خالد",
    "buyer_phone": "0551234567",
    "ship_country": "SA",
    "ship_city": "Jeddah",
    "address_line1": "Tahlia St",
    "shipping_amount": "20.00",
    "discount_amount": "5.50",
    "tax_amount": "0.00",
    "lines": [{"sku": "DATES-1", "title": "Dates", "quantity": 3, "unit_price": "33.25"}],
}


@pytest.fixture(scope="module")
def owner(pg: str) -> Iterator[psycopg2.extensions.connection]:
    conn = psycopg2.connect(pg)
    yield conn
    conn.close()


def orders_by_channel(conn: psycopg2.extensions.connection) -> dict[str, dict[str, Any]]:
    rows = fetch(conn, "select * from marts.fct_orders where tenant_id = %s", (T,))
    return {r["channel"]: r for r in rows}


@pytest.fixture(scope="module")
def built(owner: psycopg2.extensions.connection) -> dict[str, dict[str, Any]]:
    with owner, owner.cursor() as cur:
        cur.execute(
            """select format('%I.%I', schemaname, tablename) from pg_tables
               where schemaname in ('raw', 'app', 'quality')"""
        )
        cur.execute("truncate " + ", ".join(r[0] for r in cur.fetchall()) + " restart identity cascade")
        cur.execute(
            "insert into app.tenants (tenant_id, name, reporting_currency) values (%s, 'Channels', 'USD')",
            (T,),
        )
        for channel, (store_id, tz, currency) in STORES.items():
            cur.execute(
                """insert into app.stores (tenant_id, store_id, channel, name, timezone, currency)
                   values (%s, %s, %s, %s, %s, %s)""",
                (T, store_id, channel, store_id, tz, currency),
            )
        cur.execute(
            """insert into app.manual_orders
                   (tenant_id, store_id, manual_order_id, order_doc, source, created_by)
               values (%s, 'manual-sa', 'M-1001', %s, 'form', 'tester')""",
            (T, Json(MANUAL_DOC)),
        )
    land(owner, T, "shopee", "shopee-vn", "shopee_orders", [("2404098R48U37H", None, shopee_order())])
    land(owner, T, "lazada", "lazada-my", "lazada_orders", [("55501", None, lazada_order(["pending"]))])
    land(
        owner,
        T,
        "lazada",
        "lazada-my",
        "lazada_order_items",
        [
            ("55501/1", "55501", lazada_item(1, "pending", "56.00")),
            ("55501/2", "55501", lazada_item(2, "packed", "50.00")),
        ],
    )
    land(owner, T, "tiktok", "tiktok-th", "tiktok_orders", [("576461413038785752", None, tiktok_order())])
    land(owner, T, "woocommerce", "woo-ae", "woocommerce_orders", [("727", None, woo_order())])
    land(owner, T, "salla", "salla-sa", "salla_orders", [("9001", None, salla_event())])
    dbt("seed", "--full-refresh")
    dbt("build", "--full-refresh")
    return orders_by_channel(owner)


def test_every_channel_is_side_by_side(built: dict[str, dict[str, Any]]) -> None:
    assert set(built) == set(STORES)
    for channel, row in built.items():
        assert isinstance(row["total_amount"], Decimal), channel
        assert row["currency"] == STORES[channel][2], channel
        assert row["ordered_at"].utcoffset().total_seconds() == 0, channel
        assert row["status"] != "exception", (channel, row["platform_status"], row["exception_types"])
        assert row["exception_types"] == [], channel


def test_shopee_numbers_unix_times_and_masked_pii(built: dict[str, dict[str, Any]]) -> None:
    row = built["shopee"]
    assert row["total_amount"] == Decimal("32119.0000")
    assert row["ordered_at"].isoformat() == "2024-05-01T07:00:00+00:00"
    assert row["is_cod"] and row["cod_amount"] == Decimal("32119.0000")
    assert row["is_pii_masked"] and row["buyer_phone_e164"] is None and not row["is_phone_valid"]
    assert row["ship_country"] == "VN" and row["ship_city"] == "Bạc Liêu"
    assert row["shipping_amount"] == Decimal("15000.0000")
    assert (row["line_count"], row["unit_count"]) == (1, 2)


def test_lazada_country_name_items_and_status(built: dict[str, dict[str, Any]]) -> None:
    row = built["lazada"]
    assert row["ship_country"] == "MY"
    assert row["buyer_phone_e164"] == "+60123456789" and row["is_phone_valid"]
    assert row["platform_status"] == "pending" and row["status"] == "received"
    assert row["total_amount"] == Decimal("110.9000") and row["currency"] == "MYR"
    assert (row["line_count"], row["items_amount"]) == (2, Decimal("106.0000"))
    assert row["ordered_at"].isoformat() == "2024-05-01T01:00:00+00:00"


def test_tiktok_units_fold_into_lines(
    built: dict[str, dict[str, Any]], owner: psycopg2.extensions.connection
) -> None:
    row = built["tiktok"]
    assert (row["line_count"], row["unit_count"]) == (2, 3)
    assert row["buyer_phone_e164"] == "+66812345678"
    assert row["total_amount"] == Decimal("295.0000") and not row["is_cod"]
    lines = {
        r["platform_sku"]: r
        for r in fetch(owner, "select * from marts.fct_order_lines where order_key = %s", (row["order_key"],))
    }
    assert lines["TEA-100G"]["quantity"] == 2
    assert lines["TEA-100G"]["line_amount"] == Decimal("200.0000")
    assert lines["TEA-100G"]["discount_amount"] == Decimal("20.0000")
    assert lines["TEA-100G"]["unit_price_amount"] == Decimal("100.0000")


def test_woocommerce_local_time_in_store_zone(built: dict[str, dict[str, Any]]) -> None:
    row = built["woocommerce"]
    # 14:00 in Asia/Dubai (+04:00) without an offset and without date_created_gmt
    assert row["ordered_at"].isoformat() == "2024-05-01T10:00:00+00:00"
    assert row["is_cod"] and row["payment_method"] == "cod"
    assert row["buyer_phone_e164"] == "+971501234567"
    assert row["total_amount"] == Decimal("120.0000")


def test_salla_dates_amounts_and_phone(built: dict[str, dict[str, Any]]) -> None:
    row = built["salla"]
    assert row["ordered_at"].isoformat() == "2024-05-01T09:00:00+00:00"
    assert row["platform_updated_at"].isoformat() == "2024-05-01T09:05:00+00:00"
    assert row["buyer_phone_e164"] == "+966501234567" and row["is_phone_valid"]
    assert row["ship_country"] == "SA"
    assert row["total_amount"] == Decimal("258.7500") and row["tax_amount"] == Decimal("33.7500")
    assert row["platform_order_name"] == "71234" and row["is_cod"]


def test_manual_order_amounts(built: dict[str, dict[str, Any]]) -> None:
    row = built["manual"]
    assert row["total_amount"] == Decimal("114.2500")  # 3 x 33.25 + 20.00 - 5.50
    assert row["ordered_at"].isoformat() == "2024-05-01T09:30:00+00:00"
    assert row["buyer_phone_e164"] == "+966551234567" and row["status"] == "received"


def test_one_update_per_channel_changes_only_that_order(
    built: dict[str, dict[str, Any]], owner: psycopg2.extensions.connection
) -> None:
    before = orders_by_channel(owner)
    updated_shopee = shopee_order("SHIPPED", update_time=1714636800)
    land(owner, T, "shopee", "shopee-vn", "shopee_orders", [("2404098R48U37H", None, updated_shopee)])
    land(
        owner,
        T,
        "lazada",
        "lazada-my",
        "lazada_order_items",
        [
            ("55501/1", "55501", lazada_item(1, "shipped", "56.00")),
            ("55501/2", "55501", lazada_item(2, "shipped", "50.00")),
        ],
    )
    land(
        owner,
        T,
        "tiktok",
        "tiktok-th",
        "tiktok_orders",
        [("576461413038785752", None, tiktok_order("IN_TRANSIT", update_time=1714636800))],
    )
    land(
        owner,
        T,
        "woocommerce",
        "woo-ae",
        "woocommerce_orders",
        [
            (
                "727",
                None,
                woo_order("completed", modified_gmt="2024-05-02T10:05:00", modified="2024-05-02T14:05:00"),
            )
        ],
    )
    salla = salla_event("delivering", event_at="2024-05-02T09:00:00+03:00")
    land(owner, T, "salla", "salla-sa", "salla_orders", [("9001", None, salla)])
    other = copy.deepcopy(MANUAL_DOC)
    other["order_number"] = "M-1002"
    with owner, owner.cursor() as cur:
        cur.execute(
            """insert into app.manual_orders
                   (tenant_id, store_id, manual_order_id, order_doc, source, created_by)
               values (%s, 'manual-sa', 'M-1002', %s, 'import', 'tester')""",
            (T, Json(other)),
        )
    dbt("build")
    rows = fetch(owner, "select * from marts.fct_orders where tenant_id = %s", (T,))
    after = {(r["channel"], r["platform_order_id"]): r for r in rows}
    assert len(rows) == 7
    expected = {
        "shopee": "shipped",
        "lazada": "shipped",
        "tiktok": "in_transit",
        "woocommerce": "shipped",
        "salla": "out_for_delivery",
    }
    for channel, status in expected.items():
        new = next(r for (c, _), r in after.items() if c == channel)
        assert new["status"] == status, (channel, new["platform_status"])
        assert new["version"] != before[channel]["version"], channel
    assert after[("manual", "M-1001")]["version"] == before["manual"]["version"]
    assert after[("manual", "M-1002")]["status"] == "received"
    woo = next(r for (c, _), r in after.items() if c == "woocommerce")
    assert woo["platform_updated_at"].isoformat() == "2024-05-02T10:05:00+00:00"
    history = fetch(
        owner,
        """select channel, count(*) as n from marts.fct_order_status_history
           where tenant_id = %s group by 1""",
        (T,),
    )
    counts = {r["channel"]: r["n"] for r in history}
    assert counts["shopee"] == 2 and counts["tiktok"] == 2 and counts["salla"] == 2
