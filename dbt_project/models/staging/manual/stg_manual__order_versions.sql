-- Manual orders (the app's form and the CSV/XLSX import: app.manual_orders), typed in the common
-- order shape (macros/channels.sql). A manual order is written once and never edited, so each
-- has one version. It comes through no batch: its commit_seq is 0 and the incremental marts pick
-- up manual orders they do not hold yet (select_touched_orders). Amounts are decimal strings;
-- `ordered_at` is UTC ISO, or naive (the store's zone) when entered so; the status is `received`.
-- The total is computed as written on the form: lines + shipping - discount + tax.

with

source as (

    select
        manual_orders.tenant_id,
        manual_orders.store_id,
        manual_orders.manual_order_id,
        manual_orders.order_doc,
        manual_orders.source as entry_source,
        manual_orders.created_by,
        manual_orders.created_at
    from {{ source('app', 'manual_orders') }} as manual_orders

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('manual' as text) as channel,
        manual_order_id as platform_order_id,
        coalesce({{ clean_text("order_doc ->> 'order_number'") }}, manual_order_id) as platform_order_name,

        -- statuses and payment
        cast('received' as text) as platform_status,
        {{ clean_text("order_doc ->> 'payment_method'") }} as payment_method_name,
        coalesce(lower(btrim(order_doc ->> 'payment_method')) = 'cod', false) as is_cod,

        -- buyer
        {{ clean_text("order_doc ->> 'buyer_name'") }} as buyer_name,
        cast(null as text) as buyer_name_local_script,
        {{ clean_text("order_doc ->> 'buyer_phone'") }} as buyer_phone_raw,
        {{ clean_text("order_doc ->> 'buyer_email'") }} as buyer_email,

        -- ship-to address
        upper({{ clean_text("order_doc ->> 'ship_country'") }}) as ship_country,
        cast(null as text) as ship_country_name,
        {{ clean_text("order_doc ->> 'ship_province'") }} as ship_province,
        {{ clean_text("order_doc ->> 'ship_city'") }} as ship_city,
        {{ clean_text("order_doc ->> 'ship_district'") }} as ship_district,
        {{ clean_text("order_doc ->> 'ship_postal_code'") }} as ship_postal_code,
        {{ clean_text("concat_ws(', ', "
            ~ clean_text("order_doc ->> 'address_line1'") ~ ", "
            ~ clean_text("order_doc ->> 'address_line2'") ~ ")") }} as address_lines,
        cast(array[] as text []) as tracking_numbers,
        cast(null as text) as shipping_carrier,

        -- money: decimal strings
        upper({{ clean_text("order_doc ->> 'currency'") }}) as currency,
        coalesce({{ to_money("order_doc ->> 'shipping_amount'") }}, 0) as shipping_amount,
        coalesce({{ to_money("order_doc ->> 'discount_amount'") }}, 0) as discount_amount,
        coalesce({{ to_money("order_doc ->> 'tax_amount'") }}, 0) as tax_amount,
        (
            select sum({{ to_money("lines.line ->> 'unit_price'") }} * {{ to_int("lines.line ->> 'quantity'") }})
            from jsonb_array_elements({{ json_array("order_doc -> 'lines'") }}) as lines (line)
        )
        + coalesce({{ to_money("order_doc ->> 'shipping_amount'") }}, 0)
        - coalesce({{ to_money("order_doc ->> 'discount_amount'") }}, 0)
        + coalesce({{ to_money("order_doc ->> 'tax_amount'") }}, 0) as total_amount,

        -- timestamps
        coalesce({{ offset_to_utc("order_doc ->> 'ordered_at'") }}, case
            when {{ naive_timestamp("order_doc ->> 'ordered_at'") }} is null then created_at
        end) as ordered_at,
        {{ naive_timestamp("order_doc ->> 'ordered_at'") }} as ordered_at_local,
        created_at as updated_at,
        cast(null as timestamp) as updated_at_local,
        created_at as version_sort_at,
        cast(null as timestamptz) as paid_at,

        -- nested: the order's lines, read by stg_manual__order_lines
        {{ json_array("order_doc -> 'lines'") }} as line_items,

        -- version lineage: no batch; the document is the version
        cast(0 as bigint) as _raw_id,
        cast(null as bigint) as _batch_id,
        cast(0 as bigint) as _commit_seq,
        created_at as _landed_at,
        md5(cast(order_doc as text)) as _payload_sha256

    from source

)

select * from renamed
