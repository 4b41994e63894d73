-- Every landed version of every Salla order, typed in the common order shape
-- (macros/channels.sql). A version is one webhook event envelope {event, merchant, created_at,
-- data}: `data` is the order. Its status is {name, slug} (slugs read with underscores:
-- "under-review" and "under_review" are one status), its dates PHP date objects {date, timezone},
-- its amounts {amount, currency}, and phones may come without '+' ("966501234567").

with

source as (

    {% call committed_raw_versions(source('raw', 'salla_orders'), 'events') -%}
        event text,
        created_at jsonb,
        data jsonb
    {%- endcall %}

),

-- Salla sends some order.status.updated events with only {id, order_id, status, updated_at}. Such
-- a version is the order's last full body (its latest landed event that carries items or
-- amounts) with the status event's fields laid over it, so it keeps its amounts, buyer and lines.
-- The body's updated_at is not kept: an event without one is dated by its envelope's created_at.
events as (

    select
        source.raw_id,
        source.tenant_id,
        source.store_id,
        source.natural_key,
        source.payload_sha256,
        source.batch_id,
        source.landed_at,
        source.commit_seq,
        source.event,
        source.created_at,
        case
            when source.data ? 'items' or source.data ? 'amounts' then source.data
            else coalesce(
                (
                    select (prior.payload -> 'data') - 'updated_at'
                    from {{ source('raw', 'salla_orders') }} as prior
                    where prior.tenant_id = source.tenant_id
                        and prior.store_id = source.store_id
                        and prior.natural_key = source.natural_key
                        and (prior.payload -> 'data' ? 'items' or prior.payload -> 'data' ? 'amounts')
                    order by prior.raw_id desc
                    limit 1
                ),
                '{}'::jsonb
            ) || (source.data - 'id')
        end as data
    from source

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('salla' as text) as channel,
        natural_key as platform_order_id,
        coalesce({{ clean_text("data ->> 'reference_id'") }}, natural_key) as platform_order_name,
        {{ clean_text('event') }} as event_name,

        -- statuses and payment
        replace(lower(coalesce(
            {{ clean_text("data -> 'status' ->> 'slug'") }},
            {{ clean_text("case when jsonb_typeof(data -> 'status') = 'string' then data ->> 'status' end") }}
        )), '-', '_') as platform_status,
        {{ clean_text("data ->> 'payment_method'") }} as payment_method_name,
        coalesce(lower(btrim(data ->> 'payment_method')) in ('cod', 'cash_on_delivery'), false) as is_cod,

        -- buyer: the receiver of the shipment, else the customer
        coalesce(
            {{ clean_text("data -> 'shipping' -> 'receiver' ->> 'name'") }},
            {{ clean_text("concat_ws(' ', data -> 'customer' ->> 'first_name', data -> 'customer' ->> 'last_name')") }}
        ) as buyer_name,
        cast(null as text) as buyer_name_local_script,
        coalesce(
            {{ clean_text("data -> 'shipping' -> 'receiver' ->> 'phone'") }},
            {{ clean_text("concat(data -> 'customer' ->> 'mobile_code', data -> 'customer' ->> 'mobile')") }}
        ) as buyer_phone_raw,
        coalesce(
            {{ clean_text("data -> 'shipping' -> 'receiver' ->> 'email'") }},
            {{ clean_text("data -> 'customer' ->> 'email'") }}
        ) as buyer_email,

        -- ship-to address: a code when Salla sends one, else the country name
        upper({{ clean_text("data -> 'shipping' -> 'address' ->> 'country_code'") }}) as ship_country,
        coalesce(
            {{ clean_text("data -> 'shipping' -> 'address' ->> 'country'") }},
            {{ clean_text("data -> 'customer' ->> 'country'") }}
        ) as ship_country_name,
        {{ clean_text("data -> 'shipping' -> 'address' ->> 'state'") }} as ship_province,
        coalesce(
            {{ clean_text("data -> 'shipping' -> 'address' ->> 'city'") }},
            {{ clean_text("data -> 'customer' ->> 'city'") }}
        ) as ship_city,
        {{ clean_text("data -> 'shipping' -> 'address' ->> 'district'") }} as ship_district,
        {{ clean_text("data -> 'shipping' -> 'address' ->> 'postal_code'") }} as ship_postal_code,
        {{ clean_text("data -> 'shipping' -> 'address' ->> 'shipping_address'") }} as address_lines,
        array(
            select tracking.tracking_number
            from (
                select {{ clean_text("data -> 'shipping' -> 'shipment' ->> 'tracking_number'") }} as tracking_number
            ) as tracking
            where tracking.tracking_number is not null
        ) as tracking_numbers,
        {{ clean_text("data -> 'shipping' ->> 'company'") }} as shipping_carrier,

        -- money: {amount, currency} objects (the tax's amount is nested once more)
        upper(coalesce(
            {{ clean_text("data -> 'amounts' -> 'total' ->> 'currency'") }},
            {{ clean_text("data ->> 'currency'") }}
        )) as currency,
        {{ amount_of("(data -> 'amounts' -> 'shipping_cost')") }} as shipping_amount,
        coalesce(
            {{ amount_of("(data -> 'amounts' -> 'total_discount')") }},
            (
                select sum({{ to_money("discounts.discount ->> 'discount'") }})
                from jsonb_array_elements({{ json_array("data -> 'amounts' -> 'discounts'") }}) as discounts (discount)
            ),
            0
        ) as discount_amount,
        coalesce(
            {{ amount_of("(data -> 'amounts' -> 'tax' -> 'amount')") }},
            {{ amount_of("(data -> 'amounts' -> 'tax')") }}
        ) as tax_amount,
        {{ amount_of("(data -> 'amounts' -> 'total')") }} as total_amount,

        -- timestamps: the order's date object; the update time is the order's updated_at, else
        -- the time of the event that delivered this version
        {{ salla_time("(data -> 'date')") }} as ordered_at,
        {{ salla_naive_time("(data -> 'date')") }} as ordered_at_local,
        coalesce({{ salla_time("(data -> 'updated_at')") }}, {{ salla_time('created_at') }}) as updated_at,
        coalesce({{ salla_naive_time("(data -> 'updated_at')") }}, {{ salla_naive_time('created_at') }})
            as updated_at_local,
        coalesce(
            {{ salla_time("(data -> 'updated_at')") }},
            {{ salla_time('created_at') }},
            {{ salla_naive_time("(data -> 'updated_at')") }} at time zone 'UTC',
            {{ salla_naive_time('created_at') }} at time zone 'UTC'
        ) as version_sort_at,
        cast(null as timestamptz) as paid_at,

        -- nested: the order's items, read by stg_salla__order_lines
        {{ json_array("data -> 'items'") }} as line_items,

        -- version lineage
        {{ version_lineage_columns() }}

    from events

)

select * from renamed
