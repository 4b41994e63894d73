with

source as (

    select * from {{ source('app', 'tenants') }}

),

renamed as (

    select
        -- ids
        tenant_id,

        -- strings
        name as tenant_name,
        upper(cast(reporting_currency as text)) as reporting_currency,

        -- timestamps
        created_at

    from source

)

select * from renamed
