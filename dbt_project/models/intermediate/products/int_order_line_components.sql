-- Every order line as the products that leave the warehouse: a bundle (kit) line becomes one row
-- per component, any other line one row for its own SKU. A component's quantity is the line's
-- quantity times the component's units per bundle; the line's amount, discount and tax are
-- shared out by the components' price shares, cut to the currency's minor unit with the
-- remainder on the last component (by component SKU), so a line's components add up to the
-- line's amounts exactly (macro allocated_amount). Weights come from the catalogue.
--
-- An unmapped line is one row without a component SKU (what ships is not known yet), so that
-- every line, and every order, is whole here too, and the incremental mart can find the orders
-- waiting on a mapping among its own rows. The components are read per line (a LATERAL subquery
-- on the bundle's SKU) and the window that hands the remainder to the last one is partitioned by
-- the line's keys, so a filter on an order's keys still reaches the raw indexes.

with

lines as (

    select * from {{ ref('int_order_lines_sku_mapped') }}

),

bundle_components as (

    select * from {{ ref('stg_app__bundle_components') }}

),

products as (

    select * from {{ ref('stg_app__products') }}

),

components_numbered as (

    select
        lines.*,
        coalesce(components.component_sku, lines.sku) as component_sku,
        components.component_sku is not null as is_bundle_component,
        coalesce(components.quantity, 1) as units_per_line_unit,
        coalesce(components.price_share, 1) as price_share,
        coalesce(components.share_total, 1) as share_total,
        coalesce(components.component_number, 1) as component_number,
        coalesce(components.component_number = components.component_count, true) as is_last_component
    from lines
    -- a bundle without components in the catalogue ships as itself (one row for its own SKU)
    left join lateral (
        select
            bundle_components.component_sku,
            bundle_components.quantity,
            bundle_components.price_share,
            sum(bundle_components.price_share) over () as share_total,
            cast(row_number() over (order by bundle_components.component_sku) as integer) as component_number,
            count(*) over () as component_count
        from bundle_components
        where bundle_components.tenant_id = lines.tenant_id
            and bundle_components.bundle_sku = lines.sku
    ) as components on lines.is_bundle

),

components_allocated as (

    select
        components_numbered.*,
        cast({{ allocated_amount('line_amount') }} as numeric(18, 4)) as component_line_amount,
        cast({{ allocated_amount('discount_amount') }} as numeric(18, 4)) as component_discount_amount,
        cast({{ allocated_amount('tax_amount') }} as numeric(18, 4)) as component_tax_amount
    from components_numbered
    window line_components as (partition by tenant_id, channel, store_id, platform_order_id, platform_line_id)

),

final as (

    select
        components_allocated.tenant_id,
        components_allocated.order_key,
        components_allocated.line_key,
        {{ surrogate_key(['components_allocated.line_key', "coalesce(components_allocated.component_sku, '')"]) }}
            as component_key,
        components_allocated.channel,
        components_allocated.store_id,
        components_allocated.platform_order_id,
        components_allocated.platform_line_id,
        components_allocated.sku as line_sku,
        components_allocated.sku_match_step,
        components_allocated.is_sku_unmapped,
        components_allocated.component_sku,
        component_product.title as component_title,
        component_product.variant_title as component_variant_title,
        components_allocated.is_bundle_component,
        components_allocated.component_number,
        components_allocated.units_per_line_unit,
        cast(components_allocated.quantity * components_allocated.units_per_line_unit as integer) as quantity,
        cast(components_allocated.price_share / components_allocated.share_total as numeric(9, 6)) as price_share,
        components_allocated.component_line_amount as line_amount,
        components_allocated.component_discount_amount as discount_amount,
        components_allocated.component_tax_amount as tax_amount,
        components_allocated.currency,
        cast(
            component_product.weight_kg * components_allocated.quantity * components_allocated.units_per_line_unit
            as numeric(12, 3)
        ) as weight_kg,
        components_allocated._batch_id,
        components_allocated._commit_seq
    from components_allocated
    left join products as component_product
        on component_product.tenant_id = components_allocated.tenant_id
        and component_product.sku = components_allocated.component_sku

)

select * from final
