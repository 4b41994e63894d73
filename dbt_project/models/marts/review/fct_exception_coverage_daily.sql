{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['tenant_id', 'order_date']},
            {'columns': ['tenant_id', 'store_id', 'order_date']},
        ],
        post_hook=["{{ tenant_rls() }}"],
    )
}}

-- Exception coverage: how many of a store's orders of a day could not be converted, per exception
-- type. One row per tenant, store, channel and UTC order day that has orders. Rebuilt whole after
-- fct_orders on every run: a fix clears an order's exception, so yesterday's counts change too.
-- Types are counted by membership in fct_orders.exception_types, so a type counts from the first
-- run in which an order carries it; anything outside the five conversion types (the status map's
-- own types, e.g. platform_unfulfillable) counts as `other`.

with

orders as (

    select * from {{ ref('fct_orders') }}

),

order_flags as (

    select
        tenant_id,
        store_id,
        channel,
        -- the order's UTC day; an order without a placement time counts on the day it landed
        -- rather than silently dropping out of the denominator
        cast(coalesce(ordered_at, landed_at) at time zone 'UTC' as date) as order_date,
        cardinality(exception_types) > 0 as is_in_exception,
        'unmapped_product' = any(exception_types) as has_unmapped_product,
        'unresolved_address' = any(exception_types) as has_unresolved_address,
        'unknown_carrier' = any(exception_types) as has_unknown_carrier,
        'unmapped_status' = any(exception_types) as has_unmapped_status,
        'missing_fx_rate' = any(exception_types) as has_missing_fx_rate,
        -- any type that is not one of the five conversion types
        not (
            exception_types <@ cast(array[
                'unmapped_product',
                'unresolved_address',
                'unknown_carrier',
                'unmapped_status',
                'missing_fx_rate'
            ] as text[])
        ) as has_other_exception
    from orders

),

daily_counts as (

    select
        tenant_id,
        store_id,
        channel,
        order_date,
        count(*) as order_count,
        count(*) filter (where is_in_exception) as exception_order_count,
        count(*) filter (where has_unmapped_product) as unmapped_product_count,
        count(*) filter (where has_unresolved_address) as unresolved_address_count,
        count(*) filter (where has_unknown_carrier) as unknown_carrier_count,
        count(*) filter (where has_unmapped_status) as unmapped_status_count,
        count(*) filter (where has_missing_fx_rate) as missing_fx_rate_count,
        count(*) filter (where has_other_exception) as other_exception_count
    from order_flags
    group by 1, 2, 3, 4

),

final as (

    select
        tenant_id,
        store_id,
        channel,
        order_date,
        cast(order_count as integer) as order_count,
        cast(exception_order_count as integer) as exception_order_count,
        cast(unmapped_product_count as integer) as unmapped_product_count,
        cast(unresolved_address_count as integer) as unresolved_address_count,
        cast(unknown_carrier_count as integer) as unknown_carrier_count,
        cast(unmapped_status_count as integer) as unmapped_status_count,
        cast(missing_fx_rate_count as integer) as missing_fx_rate_count,
        cast(other_exception_count as integer) as other_exception_count,
        -- shares of the day's orders (0-1, 4 places); an order with two types counts in both
        -- type rates but once in exception_rate
        cast(round(cast(exception_order_count as numeric) / order_count, 4) as numeric(7, 4)) as exception_rate,
        cast(round(cast(unmapped_product_count as numeric) / order_count, 4) as numeric(7, 4)) as unmapped_product_rate,
        cast(round(cast(unresolved_address_count as numeric) / order_count, 4) as numeric(7, 4)) as unresolved_address_rate,
        cast(round(cast(unknown_carrier_count as numeric) / order_count, 4) as numeric(7, 4)) as unknown_carrier_rate,
        cast(round(cast(unmapped_status_count as numeric) / order_count, 4) as numeric(7, 4)) as unmapped_status_rate,
        cast(round(cast(missing_fx_rate_count as numeric) / order_count, 4) as numeric(7, 4)) as missing_fx_rate_rate,
        cast(round(cast(other_exception_count as numeric) / order_count, 4) as numeric(7, 4)) as other_exception_rate
    from daily_counts

)

select * from final
