{{ config(post_hook=["{{ tenant_rls() }}"]) }}

with

stores as (

    select * from {{ ref('stg_app__stores') }}

),

final as (

    select
        tenant_id,
        store_id,
        channel,
        store_name as name,
        marketplace,
        timezone,
        currency,
        is_active
    from stores

)

select * from final
