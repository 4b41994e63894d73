-- Every landed version of every TikTok Shop order (API 202309 /order/202309/orders data.orders[]),
-- typed in the common order shape (macros/channels.sql). Money arrives as decimal strings in
-- `payment`, times as unix seconds; names come in latin and in local script
-- (first_name_local_script, e.g. Thai), kept side by side. line_items[] holds one line per unit.

with

source as (

    {% call committed_raw_versions(source('raw', 'tiktok_orders'), 'orders') -%}
        id text,
        status text,
        is_cod text,
        payment_method_name text,
        buyer_email text,
        tracking_number text,
        shipping_provider text,
        payment jsonb,
        recipient_address jsonb,
        line_items jsonb,
        create_time text,
        update_time text,
        paid_time text
    {%- endcall %}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('tiktok' as text) as channel,
        natural_key as platform_order_id,
        coalesce({{ clean_text('id') }}, natural_key) as platform_order_name,

        -- statuses and payment
        upper({{ clean_text('status') }}) as platform_status,
        {{ clean_text('payment_method_name') }} as payment_method_name,
        coalesce({{ to_bool('is_cod') }}, false) as is_cod,

        -- buyer: the latin name, and the local-script one beside it
        coalesce(
            {{ clean_text("recipient_address ->> 'name'") }},
            {{ clean_text("concat_ws(' ', recipient_address ->> 'first_name', recipient_address ->> 'last_name')") }}
        ) as buyer_name,
        {{ clean_text("concat_ws(' ', recipient_address ->> 'first_name_local_script', "
            ~ "recipient_address ->> 'last_name_local_script')") }} as buyer_name_local_script,
        {{ clean_text("recipient_address ->> 'phone_number'") }} as buyer_phone_raw,
        {{ clean_text('buyer_email') }} as buyer_email,

        -- ship-to address: district_info[] lists the levels (L0 country ... L3 district)
        upper({{ clean_text("recipient_address ->> 'region_code'") }}) as ship_country,
        cast(null as text) as ship_country_name,
        (
            select min(levels.level ->> 'address_name')
            from jsonb_array_elements({{ json_array("recipient_address -> 'district_info'") }}) as levels (level)
            where levels.level ->> 'address_level' = 'L1'
        ) as ship_province,
        (
            select min(levels.level ->> 'address_name')
            from jsonb_array_elements({{ json_array("recipient_address -> 'district_info'") }}) as levels (level)
            where levels.level ->> 'address_level' = 'L2'
        ) as ship_city,
        (
            select min(levels.level ->> 'address_name')
            from jsonb_array_elements({{ json_array("recipient_address -> 'district_info'") }}) as levels (level)
            where levels.level ->> 'address_level' = 'L3'
        ) as ship_district,
        {{ clean_text("recipient_address ->> 'postal_code'") }} as ship_postal_code,
        coalesce(
            {{ clean_text("recipient_address ->> 'address_detail'") }},
            {{ clean_text("recipient_address ->> 'full_address'") }}
        ) as address_lines,
        array(
            select distinct tracking.tracking_number
            from (
                select {{ clean_text('tracking_number') }} as tracking_number
                union all
                select {{ clean_text("order_lines.line_item ->> 'tracking_number'") }}
                from jsonb_array_elements({{ json_array('line_items') }}) as order_lines (line_item)
            ) as tracking
            where tracking.tracking_number is not null
        ) as tracking_numbers,
        {{ clean_text('shipping_provider') }} as shipping_carrier,

        -- money: decimal strings in payment{}
        upper({{ clean_text("payment ->> 'currency'") }}) as currency,
        {{ to_money("payment ->> 'shipping_fee'") }} as shipping_amount,
        coalesce({{ to_money("payment ->> 'seller_discount'") }}, 0)
            + coalesce({{ to_money("payment ->> 'platform_discount'") }}, 0) as discount_amount,
        {{ to_money("payment ->> 'tax'") }} as tax_amount,
        {{ to_money("payment ->> 'total_amount'") }} as total_amount,

        -- timestamps: unix seconds (UTC)
        {{ unix_to_utc('create_time') }} as ordered_at,
        cast(null as timestamp) as ordered_at_local,
        {{ unix_to_utc('update_time') }} as updated_at,
        cast(null as timestamp) as updated_at_local,
        {{ unix_to_utc('update_time') }} as version_sort_at,
        {{ unix_to_utc('paid_time') }} as paid_at,

        -- nested: one line per unit, folded into lines by stg_tiktok__order_lines
        {{ json_array('line_items') }} as line_items,

        -- version lineage
        {{ version_lineage_columns() }}

    from source

)

select * from renamed
