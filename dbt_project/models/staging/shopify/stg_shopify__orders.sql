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
    where not exists (
        select 1
        from {{ ref('stg_shopify__order_versions') }} as newer
        where newer.tenant_id = versions.tenant_id
            and newer.store_id = versions.store_id
            and newer.platform_order_id = versions.platform_order_id
            and (coalesce(newer.updated_at, '-infinity'), newer._commit_seq, newer._raw_id)
                > (coalesce(versions.updated_at, '-infinity'), versions._commit_seq, versions._raw_id)
    )

)

select * from latest
