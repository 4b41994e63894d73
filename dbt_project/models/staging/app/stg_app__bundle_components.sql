-- A bundle's (kit's) components (app.bundle_components): units of the component per unit of the
-- bundle, and the component's price share, a weight among the bundle's components.

with

source as (

    select * from {{ source('app', 'bundle_components') }}

),

renamed as (

    select
        -- ids
        tenant_id,
        bundle_sku,
        component_sku,

        -- numerics
        cast(quantity as integer) as quantity,
        cast(price_share as numeric(12, 6)) as price_share

    from source

)

select * from renamed
