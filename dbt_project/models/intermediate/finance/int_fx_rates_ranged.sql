-- FX rates per tenant as date ranges: the seed fx_rates for every tenant, with the tenant's own
-- rates (app.fx_rates) winning on the same currency and date. Each rate holds from valid_from
-- until the tenant's next rate of the same currency (valid_to exclusive, null while current).

with

seed_rates as (

    select * from {{ ref('fx_rates') }}

),

tenant_rates as (

    select * from {{ ref('stg_app__fx_rates') }}

),

tenants as (

    select * from {{ ref('stg_app__tenants') }}

),

candidate_rates as (

    select
        tenants.tenant_id,
        upper(seed_rates.currency) as currency,
        seed_rates.valid_from,
        cast(seed_rates.rate_to_usd as numeric(20, 10)) as rate_to_usd,
        'seed' as rate_source,
        2 as precedence
    from tenants
    cross join seed_rates

    union all

    select
        tenant_rates.tenant_id,
        tenant_rates.currency,
        tenant_rates.valid_from,
        cast(tenant_rates.rate_to_usd as numeric(20, 10)) as rate_to_usd,
        'tenant' as rate_source,
        1 as precedence
    from tenant_rates

),

effective_rates as (

    select distinct on (tenant_id, currency, valid_from)
        tenant_id,
        currency,
        valid_from,
        rate_to_usd,
        rate_source
    from candidate_rates
    order by tenant_id, currency, valid_from, precedence

),

ranged as (

    select
        tenant_id,
        currency,
        valid_from,
        lead(valid_from) over (partition by tenant_id, currency order by valid_from) as valid_to,
        rate_to_usd,
        rate_source
    from effective_rates

)

select * from ranged
