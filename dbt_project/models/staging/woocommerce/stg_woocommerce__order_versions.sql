-- Every landed version of every WooCommerce order (REST v3 order object), typed in the common
-- order shape (macros/channels.sql). Totals arrive as decimal strings, line prices as numbers.
-- `date_created` / `date_modified` are the site's local time WITHOUT an offset; the `_gmt`
-- twins are UTC without an offset. The _gmt field wins; a local time alone is kept naive
-- (`*_local`) and read in the store's zone in intermediate.

with

source as (

    {% call committed_raw_versions(source('raw', 'woocommerce_orders'), 'orders') -%}
        id text,
        number text,
        status text,
        currency text,
        payment_method text,
        payment_method_title text,
        discount_total text,
        shipping_total text,
        total_tax text,
        total text,
        billing jsonb,
        shipping jsonb,
        line_items jsonb,
        date_created text,
        date_created_gmt text,
        date_modified text,
        date_modified_gmt text,
        date_paid_gmt text
    {%- endcall %}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('woocommerce' as text) as channel,
        natural_key as platform_order_id,
        coalesce({{ clean_text('number') }}, natural_key) as platform_order_name,

        -- statuses and payment (the payment method id `cod` is WooCommerce's Cash on delivery)
        lower({{ clean_text('status') }}) as platform_status,
        coalesce({{ clean_text('payment_method_title') }}, {{ clean_text('payment_method') }}) as payment_method_name,
        coalesce(lower(btrim(payment_method)) = 'cod', false) as is_cod,

        -- buyer: the shipping person, else the billing one
        coalesce(
            {{ clean_text("concat_ws(' ', shipping ->> 'first_name', shipping ->> 'last_name')") }},
            {{ clean_text("concat_ws(' ', billing ->> 'first_name', billing ->> 'last_name')") }}
        ) as buyer_name,
        cast(null as text) as buyer_name_local_script,
        coalesce({{ clean_text("shipping ->> 'phone'") }}, {{ clean_text("billing ->> 'phone'") }}) as buyer_phone_raw,
        {{ clean_text("billing ->> 'email'") }} as buyer_email,

        -- ship-to address (the billing address when nothing is shipped separately)
        upper(coalesce({{ clean_text("shipping ->> 'country'") }}, {{ clean_text("billing ->> 'country'") }})) as ship_country,
        cast(null as text) as ship_country_name,
        coalesce({{ clean_text("shipping ->> 'state'") }}, {{ clean_text("billing ->> 'state'") }}) as ship_province,
        coalesce({{ clean_text("shipping ->> 'city'") }}, {{ clean_text("billing ->> 'city'") }}) as ship_city,
        cast(null as text) as ship_district,
        coalesce({{ clean_text("shipping ->> 'postcode'") }}, {{ clean_text("billing ->> 'postcode'") }}) as ship_postal_code,
        coalesce(
            {{ clean_text("concat_ws(', ', "
                ~ clean_text("shipping ->> 'address_1'") ~ ", " ~ clean_text("shipping ->> 'address_2'") ~ ")") }},
            {{ clean_text("concat_ws(', ', "
                ~ clean_text("billing ->> 'address_1'") ~ ", " ~ clean_text("billing ->> 'address_2'") ~ ")") }}
        ) as address_lines,
        cast(array[] as text []) as tracking_numbers,
        cast(null as text) as shipping_carrier,

        -- money: decimal strings
        upper({{ clean_text('currency') }}) as currency,
        {{ to_money('shipping_total') }} as shipping_amount,
        {{ to_money('discount_total') }} as discount_amount,
        {{ to_money('total_tax') }} as tax_amount,
        {{ to_money('total') }} as total_amount,

        -- timestamps: the _gmt fields are UTC; the local ones are naive site time
        coalesce({{ naive_timestamp('date_created_gmt') }} at time zone 'UTC', {{ offset_to_utc('date_created') }})
            as ordered_at,
        {{ naive_timestamp('date_created') }} as ordered_at_local,
        coalesce({{ naive_timestamp('date_modified_gmt') }} at time zone 'UTC', {{ offset_to_utc('date_modified') }})
            as updated_at,
        {{ naive_timestamp('date_modified') }} as updated_at_local,
        -- the order of versions: a naive local time sorts consistently within its store
        coalesce(
            {{ naive_timestamp('date_modified_gmt') }} at time zone 'UTC',
            {{ offset_to_utc('date_modified') }},
            {{ naive_timestamp('date_modified') }} at time zone 'UTC'
        ) as version_sort_at,
        {{ naive_timestamp('date_paid_gmt') }} at time zone 'UTC' as paid_at,

        -- nested: the order's lines, read by stg_woocommerce__order_lines
        {{ json_array('line_items') }} as line_items,

        -- version lineage
        {{ version_lineage_columns() }}

    from source

)

select * from renamed
