with

source as (

    select * from {{ source('app', 'stores') }}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,

        -- strings
        channel,
        name as store_name,
        marketplace,
        timezone,
        upper(cast(currency as text)) as currency,
        created_by,

        -- booleans
        is_active,

        -- timestamps
        created_at

    from source

)

select * from renamed
