-- A tenant's own FX rates: the latest row per (tenant, currency, valid_from).

with

source as (

    select * from {{ source('app', 'fx_rates') }}

),

latest as (

    select distinct on (tenant_id, currency, valid_from)
        tenant_id,
        upper(cast(currency as text)) as currency,
        valid_from,
        rate_to_usd,
        created_by,
        created_at
    from source
    order by tenant_id, currency, valid_from, rate_id desc

)

select * from latest
