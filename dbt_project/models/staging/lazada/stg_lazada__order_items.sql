-- The latest version of each Lazada order item: the one landed last (commit_seq, then raw_id),
-- as for Amazon items.

with

versions as (

    select * from {{ ref('stg_lazada__order_item_versions') }}

),

latest as (

    select versions.*
    from versions
    where {{ is_latest_version(
        ref('stg_lazada__order_item_versions'),
        key_columns=['tenant_id', 'store_id', 'platform_order_id', 'platform_item_key'],
    ) }}

)

select * from latest
