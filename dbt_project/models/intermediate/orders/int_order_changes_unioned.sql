-- Which order each landed version touches, and in which batch: one row per raw version of an
-- order or of one of its items. The incremental marts pick the orders touched after their
-- watermark from here (an Amazon items-only batch touches the items' order).

with

shopify_order_changes as (

    select
        cast(tenant_id as text) as tenant_id,
        cast(channel as text) as channel,
        cast(store_id as text) as store_id,
        cast(platform_order_id as text) as platform_order_id,
        cast('order' as text) as change_kind,
        cast(_batch_id as bigint) as _batch_id,
        cast(_commit_seq as bigint) as _commit_seq
    from {{ ref('stg_shopify__order_versions') }}

),

amazon_order_changes as (

    select
        cast(tenant_id as text) as tenant_id,
        cast(channel as text) as channel,
        cast(store_id as text) as store_id,
        cast(platform_order_id as text) as platform_order_id,
        cast('order' as text) as change_kind,
        cast(_batch_id as bigint) as _batch_id,
        cast(_commit_seq as bigint) as _commit_seq
    from {{ ref('stg_amazon__order_versions') }}

),

amazon_item_changes as (

    select
        cast(tenant_id as text) as tenant_id,
        cast(channel as text) as channel,
        cast(store_id as text) as store_id,
        cast(platform_order_id as text) as platform_order_id,
        cast('item' as text) as change_kind,
        cast(_batch_id as bigint) as _batch_id,
        cast(_commit_seq as bigint) as _commit_seq
    from {{ ref('stg_amazon__order_item_versions') }}

),

unioned as (

    select * from shopify_order_changes
    union all
    select * from amazon_order_changes
    union all
    select * from amazon_item_changes

)

select * from unioned
