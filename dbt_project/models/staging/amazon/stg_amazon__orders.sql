-- The latest version of each Amazon order: latest by LastUpdateDate, ties by the batch's
-- commit_seq, then raw_id (see stg_shopify__orders).

with

versions as (

    select * from {{ ref('stg_amazon__order_versions') }}

),

latest as (

    select versions.*
    from versions
    where not exists (
        select 1
        from {{ ref('stg_amazon__order_versions') }} as newer
        where newer.tenant_id = versions.tenant_id
            and newer.store_id = versions.store_id
            and newer.platform_order_id = versions.platform_order_id
            and (coalesce(newer.last_updated_at, '-infinity'), newer._commit_seq, newer._raw_id)
                > (coalesce(versions.last_updated_at, '-infinity'), versions._commit_seq, versions._raw_id)
    )

)

select * from latest
