-- Accounting: every order landed in raw (distinct natural keys of the raw order tables, per
-- tenant and store) is in fct_orders exactly once, and fct_orders holds nothing else.
-- Only batches up to fct_orders' watermark count: a batch that committed while dbt was running is
-- taken by the next run, not missing.
{{ config(meta={'dagster': {'ref': {'name': 'fct_orders'}}}) }}

with

watermark as (

    select coalesce(max(_commit_seq), 0) as commit_seq
    from {{ ref('fct_orders') }}

),

landed_orders as (

    select distinct
        tenant_id,
        channel,
        store_id,
        platform_order_id
    from {{ ref('int_order_changes_unioned') }}
    where change_kind = 'order'
        and _commit_seq <= (select commit_seq from watermark)

),

mart_orders as (

    select
        tenant_id,
        channel,
        store_id,
        platform_order_id,
        count(*) as occurrences
    from {{ ref('fct_orders') }}
    group by 1, 2, 3, 4

),

compared as (

    select
        coalesce(landed_orders.tenant_id, mart_orders.tenant_id) as tenant_id,
        coalesce(landed_orders.channel, mart_orders.channel) as channel,
        coalesce(landed_orders.store_id, mart_orders.store_id) as store_id,
        coalesce(landed_orders.platform_order_id, mart_orders.platform_order_id) as platform_order_id,
        landed_orders.platform_order_id is not null as is_landed,
        coalesce(mart_orders.occurrences, 0) as occurrences
    from landed_orders
    full outer join mart_orders
        on mart_orders.tenant_id = landed_orders.tenant_id
        and mart_orders.channel = landed_orders.channel
        and mart_orders.store_id = landed_orders.store_id
        and mart_orders.platform_order_id = landed_orders.platform_order_id

)

select *
from compared
where not is_landed or occurrences <> 1
