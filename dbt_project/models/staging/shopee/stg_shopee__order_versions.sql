-- Every landed version of every Shopee order (get_order_detail's response.order_list[]), typed in
-- the common order shape (macros/channels.sql). Money arrives as JSON numbers (VND without
-- decimals), times as unix seconds, `cod` as a boolean; names and phones are masked once an order
-- is completed ("P******n", "******64"): kept as sent and flagged downstream, not invalid.

with

source as (

    {% call committed_raw_versions(source('raw', 'shopee_orders'), 'orders') -%}
        order_sn text,
        region text,
        currency text,
        cod text,
        total_amount text,
        estimated_shipping_fee text,
        actual_shipping_fee text,
        order_status text,
        payment_method text,
        shipping_carrier text,
        buyer_username text,
        message_to_seller text,
        create_time text,
        update_time text,
        pay_time text,
        recipient_address jsonb,
        item_list jsonb,
        package_list jsonb
    {%- endcall %}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('shopee' as text) as channel,
        natural_key as platform_order_id,
        coalesce({{ clean_text('order_sn') }}, natural_key) as platform_order_name,

        -- statuses and payment
        upper({{ clean_text('order_status') }}) as platform_status,
        {{ clean_text('payment_method') }} as payment_method_name,
        coalesce({{ to_bool('cod') }}, false) as is_cod,

        -- buyer (masked names and phones are kept as sent)
        {{ clean_text("recipient_address ->> 'name'") }} as buyer_name,
        cast(null as text) as buyer_name_local_script,
        {{ clean_text("recipient_address ->> 'phone'") }} as buyer_phone_raw,
        cast(null as text) as buyer_email,

        -- ship-to address, raw text as sent (region is the alpha-2 market)
        upper(coalesce({{ clean_text("recipient_address ->> 'region'") }}, {{ clean_text('region') }})) as ship_country,
        cast(null as text) as ship_country_name,
        {{ clean_text("recipient_address ->> 'state'") }} as ship_province,
        {{ clean_text("recipient_address ->> 'city'") }} as ship_city,
        coalesce(
            {{ clean_text("recipient_address ->> 'district'") }},
            {{ clean_text("recipient_address ->> 'town'") }}
        ) as ship_district,
        {{ clean_text("recipient_address ->> 'zipcode'") }} as ship_postal_code,
        {{ clean_text("recipient_address ->> 'full_address'") }} as address_lines,
        array(
            select distinct packages.package ->> 'tracking_number'
            from jsonb_array_elements({{ json_array('package_list') }}) as packages (package)
            where {{ clean_text("packages.package ->> 'tracking_number'") }} is not null
        ) as tracking_numbers,
        {{ clean_text('shipping_carrier') }} as shipping_carrier,

        -- money: JSON numbers; the shipping fee actually charged once known, else Shopee's estimate
        upper({{ clean_text('currency') }}) as currency,
        coalesce(
            nullif({{ to_money('actual_shipping_fee') }}, 0),
            {{ to_money('estimated_shipping_fee') }}
        ) as shipping_amount,
        cast(null as numeric(18, 4)) as discount_amount,
        cast(null as numeric(18, 4)) as tax_amount,
        {{ to_money('total_amount') }} as total_amount,

        -- timestamps: unix seconds (UTC); no local times on this channel
        {{ unix_to_utc('create_time') }} as ordered_at,
        cast(null as timestamp) as ordered_at_local,
        {{ unix_to_utc('update_time') }} as updated_at,
        cast(null as timestamp) as updated_at_local,
        {{ unix_to_utc('update_time') }} as version_sort_at,
        {{ unix_to_utc('pay_time') }} as paid_at,

        -- nested: the order's items, read by stg_shopee__order_lines
        {{ json_array('item_list') }} as line_items,

        -- version lineage
        {{ version_lineage_columns() }}

    from source

)

select * from renamed
