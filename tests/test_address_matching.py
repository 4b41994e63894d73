"""Address matching (intermediate.int_orders_address_matched and int_order_address_candidates) on
the session's Postgres, through the real pipeline: Shopify and Amazon orders landed as raw rows,
the seeds (regions, region_aliases, region_countries) and the dbt models built, the views read.

Both views read the app's tables live, so a tenant alias or a correction a reviewer adds changes
the result at the next read without a rebuild; the tests add them and read again. Tests run in
file order (later ones build on the app rows earlier ones added).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg2
import psycopg2.extensions
import pytest
from test_dbt import (
    ACME,
    ACME_AMAZON,
    ACME_SHOP,
    GLOBEX,
    GLOBEX_SHOP,
    amazon_order,
    dbt,
    fetch,
    land,
    reset_with_two_tenants,
    shopify_order,
)

from ingestion.reference.normalise import normalise_place

KNOWN, UNKNOWN_PLACE, TYPO_CITY, NO_POSTAL_CODE = "8101", "8102", "8103", "8104"
JEDDAH, PENDING = "402-8100000-0000001", "402-8100000-0000002"
DUBAI, GLOBEX_TYPO_CITY = "7101", "7102"
LEVELS = ("province", "city", "district")


def _shipping_address(**fields: Any) -> dict[str, Any]:
    address = {
        "first_name": "Noura",
        "last_name": "Al Qahtani",
        "name": "Noura Al Qahtani",
        "address1": "King Fahd Road 12",
        "address2": "",
        "phone": "+966 50 111 2233",
        "country": "Saudi Arabia",
        "country_code": "SA",
    }
    address.update(fields)
    return address


@pytest.fixture(scope="module")
def owner(pg: str) -> Iterator[psycopg2.extensions.connection]:
    conn = psycopg2.connect(pg)
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def built(owner: psycopg2.extensions.connection) -> None:
    reset_with_two_tenants(owner)
    land(
        owner,
        ACME,
        "shopify",
        ACME_SHOP,
        "shopify_orders",
        [
            # "Riyadh Province" / "الرياض" / 12211: a seed alias and the city's Arabic name
            (KNOWN, None, shopify_order(KNOWN, name="#8101")),
            (
                UNKNOWN_PLACE,
                None,
                shopify_order(
                    UNKNOWN_PLACE,
                    name="#8102",
                    shipping_address=_shipping_address(
                        city="Wadi Zahran Heights", province="Northern Sands Province", zip="12345"
                    ),
                ),
            ),
            (
                TYPO_CITY,
                None,
                shopify_order(
                    TYPO_CITY,
                    name="#8103",
                    shipping_address=_shipping_address(city="Riyadh North", province="Riyadh", zip="13241"),
                ),
            ),
            (
                NO_POSTAL_CODE,
                None,
                shopify_order(
                    NO_POSTAL_CODE,
                    name="#8104",
                    shipping_address=_shipping_address(
                        city="Bangkok", province="Bangkok", country="Thailand", country_code="TH", zip=None
                    ),
                ),
            ),
        ],
    )
    land(
        owner,
        ACME,
        "amazon",
        ACME_AMAZON,
        "amazon_orders",
        [
            # City جدة, StateOrRegion Makkah, PostalCode 23434
            (JEDDAH, None, amazon_order(JEDDAH, "Unshipped")),
            # a Pending order has no address yet
            (PENDING, None, amazon_order(PENDING, "Pending")),
        ],
    )
    land(
        owner,
        GLOBEX,
        "shopify",
        GLOBEX_SHOP,
        "shopify_orders",
        [
            (
                DUBAI,
                None,
                shopify_order(
                    DUBAI,
                    name="#7101",
                    currency="AED",
                    shipping_address={"name": "Fatima", "country_code": "AE", "city": "Dubai"},
                ),
            ),
            (
                GLOBEX_TYPO_CITY,
                None,
                shopify_order(
                    GLOBEX_TYPO_CITY,
                    name="#7102",
                    shipping_address=_shipping_address(city="Riyadh North", province="Riyadh", zip="13241"),
                ),
            ),
        ],
    )
    dbt("seed")
    results = dbt("build", "--select", "+int_order_address_candidates")
    unit_tests = {r.node.name for r in results if r.node.resource_type == "unit_test"}
    mine = {"address_fuzzy_typos", "address_correction_wins", "address_candidates_at_the_level_that_failed"}
    assert mine <= unit_tests


def _matched(owner: psycopg2.extensions.connection) -> dict[tuple[str, str], dict[str, Any]]:
    rows = fetch(owner, "select * from intermediate.int_orders_address_matched")
    return {(r["tenant_id"], r["platform_order_id"]): r for r in rows}


def _candidates(owner: psycopg2.extensions.connection) -> dict[tuple[str, str], dict[str, Any]]:
    rows = fetch(owner, "select * from intermediate.int_order_address_candidates")
    return {(r["tenant_id"], r["platform_order_id"]): r for r in rows}


def _codes(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["ship_province_code"], row["ship_city_code"], row["ship_region_code"])


def test_known_places_are_matched(built: None, owner: psycopg2.extensions.connection) -> None:
    matched = _matched(owner)
    known = matched[(ACME, KNOWN)]
    assert _codes(known) == ("SA-01", "SA-01-RUH", "SA-01-RUH")
    # every column of int_orders_unioned goes through unchanged
    assert (known["ship_province"], known["ship_city"], known["ship_postal_code"]) == (
        "Riyadh Province",
        "الرياض",
        "12211",
    )
    assert known["address_match"]["province"] == {
        "step": "alias",
        "text": "Riyadh Province",
        "field": "ship_province",
        "score": 0.95,
        "region_code": "SA-01",
    }
    assert known["address_match"]["city"]["step"] == "exact"
    assert (known["address_confidence"], known["is_postal_code_valid"]) == (Decimal("0.9500"), True)
    assert (known["is_address_unresolved"], known["address_issue"]) == (False, None)

    jeddah = matched[(ACME, JEDDAH)]
    assert _codes(jeddah) == ("SA-02", "SA-02-JED", "SA-02-JED")
    assert (jeddah["address_confidence"], jeddah["is_address_unresolved"]) == (Decimal("1.0000"), False)

    # a city without a province: the province is the city's
    dubai = matched[(GLOBEX, DUBAI)]
    assert _codes(dubai) == ("AE-DU", "AE-DU-DXB", "AE-DU-DXB")
    assert dubai["address_match"]["province"]["step"] == "parent"
    # the UAE has no postal codes
    assert (dubai["is_postal_code_valid"], dubai["is_address_unresolved"]) == (None, False)


def test_an_order_without_an_address_yet_is_not_unresolved(
    built: None, owner: psycopg2.extensions.connection
) -> None:
    pending = _matched(owner)[(ACME, PENDING)]
    assert pending["ship_country"] is None or pending["ship_city"] is None
    assert (pending["address_confidence"], pending["address_match"], pending["ship_region_code"]) == (
        None,
        None,
        None,
    )
    assert (pending["is_address_unresolved"], pending["address_issue"]) == (False, None)


def test_unresolved_addresses_have_an_issue_and_candidates(
    built: None, owner: psycopg2.extensions.connection
) -> None:
    matched, candidates = _matched(owner), _candidates(owner)
    unresolved = {key for key, row in matched.items() if row["is_address_unresolved"]}
    assert unresolved == {
        (ACME, UNKNOWN_PLACE),
        (ACME, TYPO_CITY),
        (ACME, NO_POSTAL_CODE),
        (GLOBEX, GLOBEX_TYPO_CITY),
    }
    assert set(candidates) == unresolved

    unknown = matched[(ACME, UNKNOWN_PLACE)]
    assert unknown["ship_city_code"] is None
    assert unknown["address_issue"] in ("province_unmatched", "city_unmatched")
    assert unknown["address_confidence"] == Decimal("0.0000")

    typo = matched[(ACME, TYPO_CITY)]
    assert (typo["address_issue"], typo["address_match"]["city"]["step"]) == ("low_confidence", "fuzzy")
    assert Decimal("0.4") <= typo["address_confidence"] < Decimal("0.8")
    best = candidates[(ACME, TYPO_CITY)]
    assert (best["candidate_level"], best["candidate_text"]) == (2, "Riyadh North")
    assert best["candidates"][0]["region_code"] == "SA-01-RUH"
    assert best["candidates"][0]["parent_name"] == "Riyadh"
    scores = [c["score"] for c in best["candidates"]]
    assert 1 <= len(scores) <= 3 and scores == sorted(scores, reverse=True)

    no_postal_code = matched[(ACME, NO_POSTAL_CODE)]
    assert _codes(no_postal_code) == ("TH-10", "TH-10-BKK", "TH-10-BKK")
    assert (no_postal_code["address_confidence"], no_postal_code["address_issue"]) == (
        Decimal("1.0000"),
        "postal_code_missing",
    )
    assert candidates[(ACME, NO_POSTAL_CODE)]["candidates"] == []


def test_an_order_looked_up_by_its_keys_is_matched_the_same(
    built: None, owner: psycopg2.extensions.connection
) -> None:
    """The incremental marts read this view one order at a time by its keys: the keys must reach
    the raw table's index (no scan of every Shopify order) and give the same row."""
    lookup = """
        select scoped.*
        from (values (%s, 'shopify', %s, %s)) as keys (tenant_id, channel, store_id, platform_order_id)
        cross join lateral (
            select *
            from intermediate.int_orders_address_matched as matched
            where matched.tenant_id = keys.tenant_id
                and matched.channel = keys.channel
                and matched.store_id = keys.store_id
                and matched.platform_order_id = keys.platform_order_id
            offset 0
        ) as scoped
    """
    params = (ACME, ACME_SHOP, TYPO_CITY)
    with owner.cursor() as cur:
        cur.execute("set enable_seqscan = off")  # a tiny table: make a missing pushdown show up
        cur.execute("explain " + lookup, params)
        plan = [r[0].strip() for r in cur.fetchall()]
        cur.execute("reset enable_seqscan")
    raw_scans = [(line, plan[n + 1]) for n, line in enumerate(plan) if " on shopify_orders " in line]
    assert raw_scans
    for scan, condition in raw_scans:  # each read of the raw table is a probe for this order
        assert scan.startswith("->  Index Scan") and condition.startswith("Index Cond:"), (scan, condition)
        assert f"natural_key = '{TYPO_CITY}'" in condition, condition
    by_keys = fetch(owner, lookup, params)
    assert by_keys == [_matched(owner)[(ACME, TYPO_CITY)]]


def test_a_tenant_alias_resolves_that_tenants_orders_only(
    built: None, owner: psycopg2.extensions.connection
) -> None:
    with owner.cursor() as cur:
        cur.execute(
            """insert into app.region_aliases (tenant_id, country_code, alias, region_code, created_by)
               values (%s, 'SA', %s, 'SA-01-RUH', 'reviewer@acme.example')""",
            (ACME, normalise_place("Riyadh North")),
        )
    matched = _matched(owner)
    acme = matched[(ACME, TYPO_CITY)]
    assert _codes(acme) == ("SA-01", "SA-01-RUH", "SA-01-RUH")
    assert acme["address_match"]["city"] == {
        "step": "alias",
        "text": "Riyadh North",
        "field": "ship_city",
        "score": 1,
        "region_code": "SA-01-RUH",
    }
    assert (acme["address_confidence"], acme["is_address_unresolved"]) == (Decimal("1.0000"), False)
    assert (ACME, TYPO_CITY) not in _candidates(owner)
    # the other tenant's identical order is untouched
    assert matched[(GLOBEX, GLOBEX_TYPO_CITY)]["address_issue"] == "low_confidence"

    # a newer row without a region removes the alias again
    with owner.cursor() as cur:
        cur.execute(
            """insert into app.region_aliases (tenant_id, country_code, alias, region_code, created_by)
               values (%s, 'SA', %s, null, 'reviewer@acme.example')""",
            (ACME, normalise_place("Riyadh North")),
        )
    assert _matched(owner)[(ACME, TYPO_CITY)]["address_issue"] == "low_confidence"


def test_a_correction_wins_over_the_text(built: None, owner: psycopg2.extensions.connection) -> None:
    matched = _matched(owner)
    unknown_key = matched[(ACME, UNKNOWN_PLACE)]["order_key"]
    no_postal_code_key = matched[(ACME, NO_POSTAL_CODE)]["order_key"]
    with owner.cursor() as cur:
        cur.execute(
            """insert into app.address_corrections (tenant_id, order_key, region_code, created_by)
               values (%s, %s, 'SA-02-JED', 'reviewer@acme.example'),
                      (%s, %s, 'SA-01-RUH-OLY', 'reviewer@acme.example'),
                      (%s, %s, 'TH-10-BKK', 'reviewer@acme.example')""",
            (ACME, unknown_key, ACME, unknown_key, ACME, no_postal_code_key),
        )
        # the postal code comes in a correction of its own, later: the latest row wins
        cur.execute(
            """insert into app.address_corrections
                   (tenant_id, order_key, region_code, postal_code, created_by)
               values (%s, %s, 'TH-10-BKK', ' 10110 ', 'reviewer@acme.example')""",
            (ACME, no_postal_code_key),
        )
    matched = _matched(owner)
    corrected = matched[(ACME, UNKNOWN_PLACE)]
    assert [corrected[f"ship_{level}_code"] for level in LEVELS] == ["SA-01", "SA-01-RUH", "SA-01-RUH-OLY"]
    assert [corrected["address_match"][level]["step"] for level in LEVELS] == ["corrected"] * 3
    assert (corrected["address_confidence"], corrected["is_address_unresolved"]) == (Decimal("1.0000"), False)

    postal = matched[(ACME, NO_POSTAL_CODE)]
    assert postal["ship_postal_code"] is None  # the order's own value is kept as sent
    assert postal["address_match"]["postal_code"] == {
        "value": "10110",
        "source": "correction",
        "is_valid": True,
        "is_required": True,
    }
    assert (postal["is_postal_code_valid"], postal["is_address_unresolved"]) == (True, False)
    assert set(_candidates(owner)) == {(ACME, TYPO_CITY), (GLOBEX, GLOBEX_TYPO_CITY)}
