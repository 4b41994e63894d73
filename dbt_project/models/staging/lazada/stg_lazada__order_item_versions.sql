-- Every landed version of every Lazada order item (/order/items/get): one item per unit, each
-- with its own status. Prices arrive as strings or numbers.

with

source as (

    {% call committed_raw_versions(source('raw', 'lazada_order_items'), 'items', extra_columns=['parent_key']) -%}
        order_item_id text,
        order_id text,
        sku text,
        shop_sku text,
        name text,
        variation text,
        item_price text,
        paid_price text,
        tax_amount text,
        shipping_amount text,
        currency text,
        status text,
        tracking_code text,
        shipment_provider text,
        updated_at text
    {%- endcall %}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('lazada' as text) as channel,
        coalesce(parent_key, {{ clean_text('order_id') }}, split_part(natural_key, '/', 1)) as platform_order_id,
        natural_key as platform_item_key,
        coalesce({{ clean_text('order_item_id') }}, split_part(natural_key, '/', 2)) as platform_line_id,
        {{ clean_text('shop_sku') }} as shop_sku,

        -- strings
        coalesce({{ clean_text('sku') }}, {{ clean_text('shop_sku') }}) as platform_sku,
        {{ clean_text('name') }} as title,
        {{ clean_text('variation') }} as variant_title,
        lower({{ clean_text('status') }}) as item_status,
        {{ clean_text('tracking_code') }} as tracking_number,
        {{ clean_text('shipment_provider') }} as shipment_provider,

        -- numerics
        upper({{ clean_text('currency') }}) as currency,
        {{ to_money('item_price') }} as item_price_amount,
        {{ to_money('paid_price') }} as paid_price_amount,
        {{ to_money('tax_amount') }} as tax_amount,
        {{ to_money('shipping_amount') }} as shipping_amount,

        -- timestamps
        {{ iso_to_utc('updated_at') }} as updated_at,

        -- version lineage
        {{ version_lineage_columns() }}

    from source

)

select * from renamed
