-- Every landed version of every Shopify order, typed. One row per raw row of a committed batch.
-- No window and no aggregate, so filters on the keys or on _commit_seq reach the raw indexes.
--
-- The payload is read once per row with jsonb_to_record: a payload of a few KB is stored
-- compressed (TOAST), and every `payload ->> 'field'` would decompress it again (measured: ~8 us
-- per field and row, 20x slower in all than one jsonb_to_record). Everything is read as text or
-- jsonb, so an unexpected type never fails the build; the casts below are the safe ones.

with

source as (

    {% call committed_raw_versions(source('raw', 'shopify_orders'), 'orders') -%}
        name text,
        order_number text,
        email text,
        contact_email text,
        phone text,
        created_at text,
        processed_at text,
        updated_at text,
        cancelled_at text,
        closed_at text,
        cancel_reason text,
        financial_status text,
        fulfillment_status text,
        gateway text,
        payment_gateway_names jsonb,
        currency text,
        subtotal_price text,
        total_discounts text,
        total_tax text,
        total_price text,
        total_shipping_price_set jsonb,
        shipping_lines jsonb,
        test text,
        customer jsonb,
        shipping_address jsonb,
        billing_address jsonb,
        line_items jsonb,
        fulfillments jsonb
    {%- endcall %}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('shopify' as text) as channel,
        natural_key as platform_order_id,
        {{ clean_text('name') }} as platform_order_name,
        {{ to_int('order_number') }} as platform_order_number,

        -- statuses: Shopify spreads an order's state over three fields; they are read into one
        -- platform_status (DECISIONLOG.md, "Staging")
        case
            when {{ clean_text('cancelled_at') }} is not null then 'cancelled'
            when lower(fulfillment_status) in ('fulfilled', 'partial', 'restocked')
                then lower(fulfillment_status)
            when lower(financial_status) in ('refunded', 'voided')
                then lower(financial_status)
            else coalesce(lower({{ clean_text('fulfillment_status') }}), 'unfulfilled')
        end as platform_status,
        lower(financial_status) as financial_status,
        lower(fulfillment_status) as fulfillment_status,
        {{ clean_text('cancel_reason') }} as cancel_reason,

        -- payment
        array(
            select gateway_names.gateway_name
            from jsonb_array_elements_text({{ json_array('payment_gateway_names') }})
                as gateway_names (gateway_name)
        ) as payment_gateway_names,
        {{ clean_text('gateway') }} as payment_gateway,

        -- buyer (the shipping address first: it is who receives and pays a COD parcel)
        coalesce(
            {{ clean_text("shipping_address ->> 'name'") }},
            {{ clean_text("concat_ws(' ', shipping_address ->> 'first_name', shipping_address ->> 'last_name')") }},
            {{ clean_text("concat_ws(' ', customer ->> 'first_name', customer ->> 'last_name')") }}
        ) as buyer_name,
        coalesce(
            {{ clean_text("shipping_address ->> 'phone'") }},
            {{ clean_text('phone') }},
            {{ clean_text("customer ->> 'phone'") }},
            {{ clean_text("billing_address ->> 'phone'") }}
        ) as buyer_phone_raw,
        coalesce(
            {{ clean_text('email') }},
            {{ clean_text('contact_email') }},
            {{ clean_text("customer ->> 'email'") }}
        ) as buyer_email,

        -- ship-to address, raw text as sent
        upper({{ clean_text("shipping_address ->> 'country_code'") }}) as ship_country,
        {{ clean_text("shipping_address ->> 'country'") }} as ship_country_name,
        {{ clean_text("shipping_address ->> 'province'") }} as ship_province,
        {{ clean_text("shipping_address ->> 'province_code'") }} as ship_province_code,
        {{ clean_text("shipping_address ->> 'city'") }} as ship_city,
        cast(null as text) as ship_district,
        {{ clean_text("shipping_address ->> 'zip'") }} as ship_postal_code,
        {{ clean_text("concat_ws(', ', "
            ~ clean_text("shipping_address ->> 'address1'") ~ ", "
            ~ clean_text("shipping_address ->> 'address2'") ~ ")") }} as address_lines,

        -- tracking numbers of the order's fulfillments (tracking_numbers[], or the older single field)
        array(
            select distinct tracking.tracking_number
            from jsonb_array_elements({{ json_array('fulfillments') }}) as order_fulfillments (fulfillment)
            cross join lateral jsonb_array_elements_text(
                case
                    when jsonb_typeof(order_fulfillments.fulfillment -> 'tracking_numbers') = 'array'
                        then order_fulfillments.fulfillment -> 'tracking_numbers'
                    else jsonb_build_array(order_fulfillments.fulfillment ->> 'tracking_number')
                end
            ) as tracking (tracking_number)
            where {{ clean_text('tracking.tracking_number') }} is not null
            order by tracking.tracking_number
        ) as tracking_numbers,

        -- the carrier of the latest fulfillment that names one (tracking_company, as sent)
        (
            select {{ clean_text("order_fulfillments.fulfillment ->> 'tracking_company'") }}
            from jsonb_array_elements({{ json_array('fulfillments') }}) as order_fulfillments (fulfillment)
            where {{ clean_text("order_fulfillments.fulfillment ->> 'tracking_company'") }} is not null
            order by
                {{ iso_to_utc("order_fulfillments.fulfillment ->> 'created_at'") }} desc nulls last,
                order_fulfillments.fulfillment ->> 'id' desc
            limit 1
        ) as shipping_carrier,

        -- money, in the shop currency (not the buyer's presentment currency)
        upper({{ clean_text('currency') }}) as currency,
        {{ to_money('subtotal_price') }} as subtotal_amount,
        {{ to_money('total_discounts') }} as discount_amount,
        {{ to_money('total_tax') }} as tax_amount,
        coalesce(
            {{ to_money("total_shipping_price_set -> 'shop_money' ->> 'amount'") }},
            (
                select sum({{ to_money("order_shipping_lines.shipping_line ->> 'price'") }})
                from jsonb_array_elements({{ json_array('shipping_lines') }})
                    as order_shipping_lines (shipping_line)
            )
        ) as shipping_amount,
        {{ to_money('total_price') }} as total_amount,

        -- booleans
        coalesce({{ to_bool('test') }}, false) as is_test,

        -- timestamps (UTC)
        {{ iso_to_utc('created_at') }} as created_at,
        {{ iso_to_utc('processed_at') }} as processed_at,
        {{ iso_to_utc('updated_at') }} as updated_at,
        {{ iso_to_utc('cancelled_at') }} as cancelled_at,
        {{ iso_to_utc('closed_at') }} as closed_at,

        -- nested: the order's lines, read by stg_shopify__order_lines
        {{ json_array('line_items') }} as line_items,

        -- version lineage
        {{ version_lineage_columns() }}

    from source

)

select * from renamed
