-- The seller's catalogue (app.products, loaded by `oms catalog import`): one row per SKU, a
-- variant or a bundle. Inactive SKUs stay here; the lookups read only the active ones.

with

source as (

    select * from {{ source('app', 'products') }}

),

renamed as (

    select
        -- ids
        tenant_id,
        sku,

        -- strings
        title,
        title_local,
        variant_title,
        created_by,
        updated_by,

        -- numerics
        cast(weight_kg as numeric(12, 3)) as weight_kg,

        -- booleans
        is_bundle,
        is_active,

        -- timestamps
        created_at,
        updated_at

    from source

)

select * from renamed
