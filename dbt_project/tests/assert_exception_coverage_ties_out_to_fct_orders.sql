-- Accounting: the coverage mart counts every order of fct_orders once, per tenant, store and
-- channel, and its exception counts add up: no type count exceeds the orders in exception, and
-- those never exceed the day's orders. Returns the rows that disagree.
{{ config(meta={'dagster': {'ref': {'name': 'fct_exception_coverage_daily'}}}) }}

with

orders as (

    select * from {{ ref('fct_orders') }}

),

coverage as (

    select * from {{ ref('fct_exception_coverage_daily') }}

),

orders_per_store as (

    select
        tenant_id,
        store_id,
        channel,
        count(*) as order_count,
        count(*) filter (where cardinality(exception_types) > 0) as exception_order_count
    from orders
    group by 1, 2, 3

),

coverage_per_store as (

    select
        tenant_id,
        store_id,
        channel,
        sum(order_count) as order_count,
        sum(exception_order_count) as exception_order_count
    from coverage
    group by 1, 2, 3

),

store_totals_disagree as (

    select
        coalesce(orders_per_store.tenant_id, coverage_per_store.tenant_id) as tenant_id,
        coalesce(orders_per_store.store_id, coverage_per_store.store_id) as store_id,
        coalesce(orders_per_store.channel, coverage_per_store.channel) as channel,
        cast(null as date) as order_date,
        'store totals differ from fct_orders' as problem
    from orders_per_store
    full join coverage_per_store
        on coverage_per_store.tenant_id = orders_per_store.tenant_id
        and coverage_per_store.store_id = orders_per_store.store_id
        and coverage_per_store.channel = orders_per_store.channel
    where orders_per_store.order_count is distinct from coverage_per_store.order_count
        or orders_per_store.exception_order_count is distinct from coverage_per_store.exception_order_count

),

days_inconsistent as (

    select
        tenant_id,
        store_id,
        channel,
        order_date,
        'counts do not add up' as problem
    from coverage
    where exception_order_count > order_count
        or greatest(
            unmapped_product_count,
            unresolved_address_count,
            unknown_carrier_count,
            unmapped_status_count,
            missing_fx_rate_count,
            other_exception_count
        ) > exception_order_count
        -- every order in exception has at least one type
        or unmapped_product_count + unresolved_address_count + unknown_carrier_count
            + unmapped_status_count + missing_fx_rate_count + other_exception_count
            < exception_order_count

)

select * from store_totals_disagree
union all
select * from days_inconsistent
