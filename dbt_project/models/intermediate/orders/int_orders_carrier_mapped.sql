-- Each order's carrier in the seller's terms: the platform's carrier name (lower-cased, trimmed)
-- looked up in the tenant's own aliases (app.carrier_aliases, added from the exception queue), then
-- the seed carrier_aliases; in each, the channel's own alias first, then the alias for every
-- channel ('*'). A name that maps to nothing is an unknown carrier (an exception, never a guess); an
-- order without a carrier name yet is not an exception.
--
-- The aliases are joined row by row (two left joins on small seeds), so a filter on an order's
-- keys (the marts' increment) still reaches the indexes under int_orders_unioned.

with

orders as (

    select * from {{ ref('int_orders_address_matched') }}

),

carrier_aliases as (

    select * from {{ ref('carrier_aliases') }}

),

tenant_carrier_aliases as (

    select * from {{ ref('stg_app__carrier_aliases') }}

),

carriers as (

    select * from {{ ref('carriers') }}

),

orders_with_carrier as (

    select
        orders.*,
        coalesce(
            tenant_channel_alias.carrier_code,
            tenant_any_channel_alias.carrier_code,
            channel_alias.carrier_code,
            any_channel_alias.carrier_code
        ) as alias_carrier_code
    from orders
    left join tenant_carrier_aliases as tenant_channel_alias
        on tenant_channel_alias.tenant_id = orders.tenant_id
        and tenant_channel_alias.channel = orders.channel
        and tenant_channel_alias.platform_carrier_name = lower(btrim(orders.platform_carrier_name))
    left join tenant_carrier_aliases as tenant_any_channel_alias
        on tenant_any_channel_alias.tenant_id = orders.tenant_id
        and tenant_any_channel_alias.channel = '*'
        and tenant_any_channel_alias.platform_carrier_name = lower(btrim(orders.platform_carrier_name))
    left join carrier_aliases as channel_alias
        on channel_alias.channel = orders.channel
        and channel_alias.platform_carrier_name = lower(btrim(orders.platform_carrier_name))
    left join carrier_aliases as any_channel_alias
        on any_channel_alias.channel = '*'
        and any_channel_alias.platform_carrier_name = lower(btrim(orders.platform_carrier_name))

),

final as (

    select
        orders_with_carrier.*,
        -- an alias pointing at a carrier the seller does not have is as unknown as no alias
        carriers.carrier_code,
        orders_with_carrier.platform_carrier_name is not null
        and carriers.carrier_code is null as is_carrier_unknown
    from orders_with_carrier
    left join carriers
        on carriers.carrier_code = orders_with_carrier.alias_carrier_code

)

select * from final
