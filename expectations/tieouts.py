"""Tie-outs that need a join, which Great Expectations cannot express: plain SQL, same outcome shape.

* ``batch_ledger``: for every committed batch, fetched = landed + duplicate + rejected, and the rows
  the ledger says it landed are the rows in the raw tables that carry its batch_id (no raw row
  belongs to a batch that did not commit).
* ``landed_orders_once``: every order landed in a raw order table appears exactly once in
  ``marts.fct_orders``, and nothing else of those channels does.
"""

from __future__ import annotations

from typing import Any

from psycopg2 import sql

from expectations.runner import CheckOutcome
from warehouse import db

# Raw order tables and the channel their rows become in marts.fct_orders.
ORDER_TABLES: dict[str, str] = {
    f"{channel}_orders": channel
    for channel in ("shopify", "amazon", "shopee", "lazada", "tiktok", "woocommerce", "salla")
}
SAMPLE = 10


def _landing_tables(cur) -> list[str]:
    """Every raw landing table (they all share raw.create_landing_table's shape)."""
    cur.execute(
        """select table_name from information_schema.columns
           where table_schema = 'raw' and column_name = 'payload_sha256'
           order by table_name"""
    )
    return [r[0] for r in cur.fetchall()]


def batch_ledger(url: str | None = None) -> CheckOutcome:
    with db.transaction(url) as cur:
        tables = _landing_tables(cur)
        rows_by_batch = sql.SQL(" union all ").join(
            sql.SQL("select batch_id, count(*) as n from raw.{} group by batch_id").format(sql.Identifier(t))
            for t in tables
        )
        cur.execute(
            sql.SQL(
                """with raw_rows as ({rows_by_batch}),
                        per_batch as (select batch_id, sum(n)::bigint as n from raw_rows group by batch_id)
                   select coalesce(b.batch_id, p.batch_id) as batch_id,
                          b.status,
                          b.fetched_count, b.landed_count, b.duplicate_count, b.rejected_count,
                          coalesce(p.n, 0) as rows_in_raw
                   from raw.batches as b
                   full join per_batch as p on p.batch_id = b.batch_id
                   order by 1"""
            ).format(rows_by_batch=rows_by_batch)
        )
        rows = cur.fetchall()

    committed = 0
    problems: list[dict[str, Any]] = []
    for batch_id, status, fetched, landed, duplicate, rejected, in_raw in rows:
        if status == "committed":
            committed += 1
            if fetched != landed + duplicate + rejected:
                problems.append({"batch_id": batch_id, "problem": "fetched != landed + duplicate + rejected"})
            elif landed != in_raw:
                problems.append(
                    {
                        "batch_id": batch_id,
                        "problem": f"ledger says {landed} landed, raw tables hold {in_raw}",
                    }
                )
        elif in_raw:
            problems.append(
                {
                    "batch_id": batch_id,
                    "problem": f"{in_raw} raw rows belong to a batch that is {status or 'absent'}",
                }
            )
    return CheckOutcome(
        check_name="batch_ledger_reconciles",
        asset="raw.batches",
        success=not problems,
        evaluated_count=committed,
        failed_count=len(problems),
        details={
            "committed_batches": committed,
            "landing_tables": tables,
            "problems": problems[:SAMPLE],
            "rule": "committed: fetched = landed + duplicate + rejected, landed = raw rows of the batch",
        },
    )


def landed_orders_once(
    url: str | None = None, *, fct_orders: tuple[str, str] = ("marts", "fct_orders")
) -> CheckOutcome:
    """``fct_orders`` names the mart as (schema, table): tests point it at a scratch copy."""
    landed = sql.SQL(" union ").join(
        # Only batches up to the mart's watermark: a download that committed while dbt ran is taken
        # by the next run, not missing.
        sql.SQL(
            "select distinct r.tenant_id, {} as channel, r.store_id, r.natural_key as platform_order_id "
            "from raw.{} as r join raw.batches as b on b.batch_id = r.batch_id "
            "where b.commit_seq <= (select coalesce(max(_commit_seq), 0) from {})"
        ).format(sql.Literal(channel), sql.Identifier(table), sql.Identifier(*fct_orders))
        for table, channel in ORDER_TABLES.items()
    )
    query = sql.SQL(
        """with landed as ({landed}),
                marted as (
                    select tenant_id, channel, store_id, platform_order_id, count(*) as n
                    from {fct_orders}
                    where channel = any(%(channels)s)
                    group by tenant_id, channel, store_id, platform_order_id
                ),
                joined as (
                    select coalesce(l.tenant_id, m.tenant_id) as tenant_id,
                           coalesce(l.channel, m.channel) as channel,
                           coalesce(l.store_id, m.store_id) as store_id,
                           coalesce(l.platform_order_id, m.platform_order_id) as platform_order_id,
                           l.tenant_id is not null as is_landed,
                           coalesce(m.n, 0) as times_in_mart
                    from landed as l
                    full join marted as m
                      on m.tenant_id = l.tenant_id
                     and m.channel = l.channel
                     and m.store_id = l.store_id
                     and m.platform_order_id = l.platform_order_id
                )
           select tenant_id,
                  count(*) filter (where is_landed) as landed,
                  count(*) filter (where is_landed and times_in_mart = 0) as missing,
                  count(*) filter (where times_in_mart > 1) as duplicated,
                  count(*) filter (where not is_landed) as unexpected,
                  (array_agg(channel || '/' || store_id || '/' || platform_order_id
                             || case when times_in_mart = 0 then ' missing'
                                     when times_in_mart > 1 then ' x' || times_in_mart
                                     else ' not landed' end
                             order by platform_order_id)
                     filter (where times_in_mart <> 1 or not is_landed))[1:%(sample)s] as sample
           from joined
           group by tenant_id
           order by tenant_id"""
    ).format(landed=landed, fct_orders=sql.Identifier(*fct_orders))
    with db.transaction(url) as cur:
        cur.execute(query, {"channels": list(ORDER_TABLES.values()), "sample": SAMPLE})
        rows = cur.fetchall()

    per_tenant = {
        tenant: {
            "landed": landed_n,
            "missing": missing,
            "duplicated": dup,
            "unexpected": unexpected,
            "sample": sample or [],
        }
        for tenant, landed_n, missing, dup, unexpected, sample in rows
    }
    landed_total = sum(t["landed"] for t in per_tenant.values())
    failed = sum(t["missing"] + t["duplicated"] + t["unexpected"] for t in per_tenant.values())
    return CheckOutcome(
        check_name="every_landed_order_once",
        asset=".".join(fct_orders),
        success=failed == 0,
        evaluated_count=landed_total,
        failed_count=failed,
        details={
            "rule": "distinct landed (tenant, channel, store, order id) = fct_orders rows, each once",
            "tenants": per_tenant,
        },
    )
