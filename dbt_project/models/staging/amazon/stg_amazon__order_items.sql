-- The latest version of each Amazon order item. Items carry no update time of their own, so the
-- latest is the one landed last: highest batch commit_seq, then raw_id. (The order id in the
-- match is implied by the item key; it lets a lookup by order reach the parent_key index.)

with

versions as (

    select * from {{ ref('stg_amazon__order_item_versions') }}

),

latest as (

    select versions.*
    from versions
    where {{ is_latest_version(
        ref('stg_amazon__order_item_versions'),
        key_columns=['tenant_id', 'store_id', 'platform_order_id', 'platform_item_key'],
    ) }}

)

select * from latest
