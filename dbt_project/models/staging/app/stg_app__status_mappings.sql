-- A tenant's own channel status mappings in effect: the latest row per (tenant, channel, platform
-- status); a latest row without a status removes the tenant's mapping (the seed applies again).

with

source as (

    select * from {{ source('app', 'status_mappings') }}

),

latest as (

    select distinct on (tenant_id, channel, platform_status)
        tenant_id,
        channel,
        platform_status,
        status,
        created_by,
        created_at
    from source
    order by tenant_id, channel, platform_status, mapping_id desc

)

select * from latest
where status is not null
