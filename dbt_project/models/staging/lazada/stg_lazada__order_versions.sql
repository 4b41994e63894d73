-- Every landed version of every Lazada order (/orders/get data.orders[] or /order/get), typed in
-- the common order shape (macros/channels.sql). Money arrives as decimal strings, times as ISO
-- with an offset, the country as a full English name ("Malaysia": turned into a code in
-- intermediate), the second phone masked ("6****67"). The order carries its items' statuses
-- (`statuses[]`); its own status is derived from them (lazada_order_status).

with

source as (

    {% call committed_raw_versions(source('raw', 'lazada_orders'), 'orders') -%}
        order_id text,
        order_number text,
        statuses jsonb,
        payment_method text,
        price text,
        shipping_fee text,
        voucher text,
        items_count text,
        customer_first_name text,
        customer_last_name text,
        address_shipping jsonb,
        address_billing jsonb,
        created_at text,
        updated_at text
    {%- endcall %}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('lazada' as text) as channel,
        natural_key as platform_order_id,
        coalesce({{ clean_text('order_number') }}, natural_key) as platform_order_name,

        -- statuses and payment
        {{ lazada_order_status(
            "array(select lower(btrim(order_statuses.order_status))
                   from jsonb_array_elements_text(" ~ json_array('statuses') ~ ") as order_statuses (order_status))"
        ) }} as platform_status,
        {{ clean_text('payment_method') }} as payment_method_name,
        coalesce(upper(btrim(payment_method)) in ('COD', 'CASH ON DELIVERY', 'CASHONDELIVERY'), false) as is_cod,

        -- buyer: the shipping address's person; phone2 is often masked
        coalesce(
            {{ clean_text("concat_ws(' ', address_shipping ->> 'first_name', address_shipping ->> 'last_name')") }},
            {{ clean_text("concat_ws(' ', customer_first_name, customer_last_name)") }}
        ) as buyer_name,
        cast(null as text) as buyer_name_local_script,
        coalesce(
            {{ clean_text("address_shipping ->> 'phone'") }},
            {{ clean_text("address_shipping ->> 'phone2'") }},
            {{ clean_text("address_billing ->> 'phone'") }}
        ) as buyer_phone_raw,
        cast(null as text) as buyer_email,

        -- ship-to address: the country is a name, not a code
        cast(null as text) as ship_country,
        {{ clean_text("address_shipping ->> 'country'") }} as ship_country_name,
        coalesce(
            {{ clean_text("address_shipping ->> 'address3'") }},
            {{ clean_text("address_shipping ->> 'region'") }}
        ) as ship_province,
        {{ clean_text("address_shipping ->> 'city'") }} as ship_city,
        coalesce(
            {{ clean_text("address_shipping ->> 'address4'") }},
            {{ clean_text("address_shipping ->> 'address5'") }}
        ) as ship_district,
        {{ clean_text("address_shipping ->> 'post_code'") }} as ship_postal_code,
        {{ clean_text("concat_ws(', ', "
            ~ clean_text("address_shipping ->> 'address1'") ~ ", "
            ~ clean_text("address_shipping ->> 'address2'") ~ ")") }} as address_lines,
        cast(array[] as text []) as tracking_numbers,
        cast(null as text) as shipping_carrier,

        -- money: decimal strings; the order carries no currency (its items do); the total is the
        -- items' price plus shipping less the voucher
        cast(null as text) as currency,
        {{ to_money('shipping_fee') }} as shipping_amount,
        coalesce({{ to_money('voucher') }}, 0) as discount_amount,
        cast(null as numeric(18, 4)) as tax_amount,
        {{ to_money('price') }} + coalesce({{ to_money('shipping_fee') }}, 0)
            - coalesce({{ to_money('voucher') }}, 0) as total_amount,

        -- timestamps: ISO with the market's offset
        {{ iso_to_utc('created_at') }} as ordered_at,
        cast(null as timestamp) as ordered_at_local,
        {{ iso_to_utc('updated_at') }} as updated_at,
        cast(null as timestamp) as updated_at_local,
        {{ iso_to_utc('updated_at') }} as version_sort_at,
        cast(null as timestamptz) as paid_at,

        -- the items are landed separately (raw.lazada_order_items)
        cast('[]' as jsonb) as line_items,

        -- version lineage
        {{ version_lineage_columns() }}

    from source

)

select * from renamed
