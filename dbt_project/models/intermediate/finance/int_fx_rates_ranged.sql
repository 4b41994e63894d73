-- The FX seed as date ranges: each rate holds from valid_from until the next rate of the same
-- currency (valid_to exclusive, null while current).

with

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

ranged as (

    select
        upper(currency) as currency,
        valid_from,
        lead(valid_from) over (partition by upper(currency) order by valid_from) as valid_to,
        rate_to_usd
    from fx_rates

)

select * from ranged
