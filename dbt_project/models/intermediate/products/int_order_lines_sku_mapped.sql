-- Every order line with the seller's SKU. The platform's SKU (platform_sku) and its listing id
-- (platform_listing_id) are looked up in the tenant's SKU mappings, narrowest scope first:
--   1. this store's mapping (`store`),
--   2. the line's channel's mapping for every store (`channel`),
--   3. the mapping for every channel, '*' (`any_channel`),
-- within each scope the platform SKU before the listing id; 4. else the platform SKU itself when
-- it is a SKU of the active catalogue (`exact`). The first mapping found decides: when it names a
-- SKU that is not in the active catalogue the line is unmapped (mapped_to_unknown_sku says which),
-- rather than falling back to a wider mapping the reviewer did not choose. A removed mapping
-- (latest row without a SKU) is no mapping. An unmapped line is an `unmapped_product` exception.
--
-- Per line: the mappings through a LATERAL subquery on the line's keys (tenant, platform keys,
-- channel, store: the index of app.sku_mappings), the catalogue by its primary key. A filter on an
-- order's keys therefore still reaches the raw indexes underneath (select_touched_orders).

with

lines as (

    select * from {{ ref('int_order_lines_unioned') }}

),

sku_mappings as (

    select * from {{ ref('stg_app__sku_mappings') }}

),

products as (

    select * from {{ ref('stg_app__products') }}
    where is_active

),

lines_mapped as (

    select
        lines.*,
        mapping.sku as mapping_sku,
        mapping.mapping_scope,
        mapped_product.sku as mapped_product_sku,
        mapped_product.is_bundle as is_mapped_product_bundle,
        exact_product.sku as exact_product_sku,
        exact_product.is_bundle as is_exact_product_bundle
    from lines
    left join lateral (
        select
            sku_mappings.sku,
            sku_mappings.mapping_scope
        from sku_mappings
        where sku_mappings.tenant_id = lines.tenant_id
            and sku_mappings.platform_key in (lines.platform_sku, lines.platform_listing_id)
            and sku_mappings.channel in (lines.channel, '*')
            and (sku_mappings.store_id is null or sku_mappings.store_id = lines.store_id)
        order by
            case sku_mappings.mapping_scope when 'store' then 1 when 'channel' then 2 else 3 end,
            -- the platform SKU before the listing id (when both map in the same scope)
            case when sku_mappings.platform_key = lines.platform_sku then 1 else 2 end
        limit 1
    ) as mapping on true
    left join products as mapped_product
        on mapped_product.tenant_id = lines.tenant_id
        and mapped_product.sku = mapping.sku
    -- the exact SKU only when no mapping applies
    left join products as exact_product
        on exact_product.tenant_id = lines.tenant_id
        and exact_product.sku = lines.platform_sku
        and mapping.sku is null

),

final as (

    select
        order_key,
        line_key,
        tenant_id,
        channel,
        store_id,
        platform_order_id,
        platform_line_id,
        platform_sku,
        platform_listing_id,
        coalesce(mapped_product_sku, exact_product_sku) as sku,
        case
            when mapped_product_sku is not null then mapping_scope
            when exact_product_sku is not null then 'exact'
        end as sku_match_step,
        coalesce(mapped_product_sku, exact_product_sku) is null as is_sku_unmapped,
        case when mapped_product_sku is null then mapping_sku end as mapped_to_unknown_sku,
        coalesce(is_mapped_product_bundle, is_exact_product_bundle, false) as is_bundle,
        title,
        variant_title,
        quantity,
        currency,
        unit_price_amount,
        line_amount,
        discount_amount,
        tax_amount,
        shipping_amount,
        shipping_discount_amount,
        shipping_tax_amount,
        is_gift,
        is_gift_wrapped,
        weight_kg,
        line_status,
        shipping_carrier,
        _item_payload_sha256,
        _batch_id,
        _commit_seq
    from lines_mapped

)

select * from final
