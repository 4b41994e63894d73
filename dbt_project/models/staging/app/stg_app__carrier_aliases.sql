-- A tenant's own carrier aliases in effect: the latest row per (tenant, channel, carrier name);
-- a latest row without a carrier removes the tenant's alias (the seed applies again).

with

source as (

    select * from {{ source('app', 'carrier_aliases') }}

),

latest as (

    select distinct on (tenant_id, channel, platform_carrier_name)
        tenant_id,
        channel,
        platform_carrier_name,
        carrier_code,
        created_by,
        created_at
    from source
    order by tenant_id, channel, platform_carrier_name, alias_id desc

)

select * from latest
where carrier_code is not null
