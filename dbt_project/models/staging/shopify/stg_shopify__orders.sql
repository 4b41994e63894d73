-- The latest version of each Shopify order: latest by Shopify's updated_at, ties by the batch's
-- commit_seq, then raw_id. A filter on an order's keys (an increment's lookup) reaches the raw
-- table's key index on both sides of the "no newer version exists" test.

with

versions as (

    select * from {{ ref('stg_shopify__order_versions') }}

),

latest as (

    select versions.*
    from versions
    where {{ is_latest_version(
        ref('stg_shopify__order_versions'),
        key_columns=['tenant_id', 'store_id', 'platform_order_id'],
        updated_column='updated_at',
    ) }}

)

select * from latest
