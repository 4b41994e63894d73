-- For every unmapped order line, the three catalogue SKUs that look most like it, as suggested
-- fixes for the exception queue: pg_trgm similarity of the platform SKU to the SKU, and of the
-- line's title and variant to the product's title and variant, in English or in the local
-- language (channels in the Gulf send Arabic titles); the best of these is the score. Only
-- active SKUs, only scores above zero, best first.
--
-- Filter or join on the order's keys (tenant_id, channel, store_id, platform_order_id) to keep it
-- to the orders at hand: the catalogue is scanned once per unmapped line.

with

lines as (

    select * from {{ ref('int_order_lines_sku_mapped') }}
    where is_sku_unmapped

),

products as (

    select * from {{ ref('stg_app__products') }}
    where is_active

),

lines_with_candidates as (

    select
        lines.tenant_id,
        lines.channel,
        lines.store_id,
        lines.platform_order_id,
        lines.order_key,
        lines.line_key,
        lines.platform_sku,
        lines.platform_listing_id,
        lines.title,
        lines.variant_title,
        coalesce(best.candidates, cast('[]' as jsonb)) as candidates
    from lines
    left join lateral (
        select
            jsonb_agg(
                jsonb_build_object(
                    'sku', ranked.sku,
                    'title', ranked.title,
                    'variant_title', ranked.variant_title,
                    'score', round(cast(ranked.score as numeric), 4)
                )
                order by ranked.score desc, ranked.sku
            ) as candidates
        from (
            select
                products.sku,
                products.title,
                products.variant_title,
                greatest(
                    coalesce(similarity(lines.platform_sku, products.sku), 0),
                    similarity(
                        concat_ws(' ', lines.title, lines.variant_title),
                        concat_ws(' ', products.title, products.variant_title)
                    ),
                    similarity(
                        concat_ws(' ', lines.title, lines.variant_title),
                        concat_ws(' ', products.title_local, products.variant_title)
                    )
                ) as score
            from products
            where products.tenant_id = lines.tenant_id
            order by score desc, products.sku
            limit 3
        ) as ranked
        where ranked.score > 0
    ) as best on true

)

select * from lines_with_candidates
