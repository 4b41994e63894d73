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
    where not exists (
        select 1
        from {{ ref('stg_amazon__order_item_versions') }} as newer
        where newer.tenant_id = versions.tenant_id
            and newer.store_id = versions.store_id
            and newer.platform_order_id = versions.platform_order_id
            and newer.platform_item_key = versions.platform_item_key
            and (newer._commit_seq, newer._raw_id) > (versions._commit_seq, versions._raw_id)
    )

)

select * from latest
