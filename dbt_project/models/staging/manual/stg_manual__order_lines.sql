-- The lines of each manual order (order_doc.lines[]: sku, title, quantity, unit_price).

with

orders as (

    select * from {{ ref('stg_manual__orders') }}

),

source as (

    select
        orders.tenant_id,
        orders.store_id,
        orders.channel,
        orders.platform_order_id,
        orders.currency,
        orders._batch_id,
        orders._commit_seq,
        lines.line,
        lines.line_number
    from orders
    cross join lateral jsonb_array_elements(orders.line_items) with ordinality as lines (line, line_number)

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        channel,
        platform_order_id,
        cast('line-' || line_number as text) as platform_line_id,

        -- strings
        {{ clean_text("line ->> 'sku'") }} as platform_sku,
        {{ clean_text("line ->> 'title'") }} as title,
        cast(null as text) as variant_title,
        cast(null as text) as line_status,

        -- numerics
        {{ to_int("line ->> 'quantity'") }} as quantity,
        currency,
        {{ to_money("line ->> 'unit_price'") }} as unit_price_amount,
        {{ to_money("line ->> 'unit_price'") }} * {{ to_int("line ->> 'quantity'") }} as line_amount,
        cast(0 as numeric(18, 4)) as discount_amount,
        cast(null as numeric(18, 4)) as tax_amount,
        cast(null as numeric) as weight_kg,

        -- lineage
        cast(null as text) as _item_payload_sha256,
        _batch_id,
        _commit_seq

    from source

)

select * from renamed
