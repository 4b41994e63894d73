-- Per order: how many of its lines have no SKU yet, and the platform keys to map (the platform
-- SKU, else the listing id, of each unmapped line). fct_orders reads it for the `unmapped_product`
-- exception. Grouped by the order's keys only, so a filter or join on them is pushed below the
-- grouping to the lines of that order.

with

lines as (

    select * from {{ ref('int_order_lines_sku_mapped') }}

),

summarised as (

    select
        tenant_id,
        channel,
        store_id,
        platform_order_id,
        min(order_key) as order_key,
        cast(count(*) as integer) as line_count,
        cast(count(*) filter (where is_sku_unmapped) as integer) as unmapped_line_count,
        cast(count(*) filter (where is_bundle) as integer) as bundle_line_count,
        coalesce(
            array_agg(distinct coalesce(platform_sku, platform_listing_id) order by coalesce(platform_sku, platform_listing_id))
                filter (where is_sku_unmapped and coalesce(platform_sku, platform_listing_id) is not null),
            cast('{}' as text [])
        ) as unmapped_platform_keys
    from lines
    group by tenant_id, channel, store_id, platform_order_id

)

select * from summarised
