-- A reviewer's correction of an order's address (app.address_corrections): the latest row per
-- order wins. A lookup by (tenant, order_key) reaches the table's index through this view.

with

source as (

    select * from {{ source('app', 'address_corrections') }}

),

renamed as (

    select
        -- ids
        source.correction_id,
        source.tenant_id,
        source.order_key,

        -- strings
        source.region_code,
        nullif(btrim(source.postal_code), '') as postal_code,
        source.note,
        source.created_by,

        -- timestamps
        source.created_at

    from source
    where not exists (
        select 1
        from {{ source('app', 'address_corrections') }} as newer
        where newer.tenant_id = source.tenant_id
            and newer.order_key = source.order_key
            and newer.correction_id > source.correction_id
    )

)

select * from renamed
