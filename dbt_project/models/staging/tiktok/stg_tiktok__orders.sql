-- The latest version of each tiktok order: latest by the platform's update time (version_sort_at),
-- ties by the batch's commit_seq, then raw_id (see stg_shopify__orders).

with

versions as (

    select * from {{ ref('stg_tiktok__order_versions') }}

),

latest as (

    select versions.*
    from versions
    where {{ is_latest_version(
        ref('stg_tiktok__order_versions'),
        key_columns=['tenant_id', 'store_id', 'platform_order_id'],
        updated_column='version_sort_at',
    ) }}

)

select * from latest
