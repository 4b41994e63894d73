-- A tenant's own place names (app.region_aliases), the latest row per (tenant, country, alias):
-- rows are append-only, so a change or a removal is a newer row. A latest row without a
-- region_code is a removal; it is kept, because it also hides the seed alias of the same text for
-- that tenant (int_orders_address_matched). The alias is stored normalised (normalise_place) by
-- whoever writes it and is read as is, so a lookup by (tenant, country, alias) reaches the
-- table's key index through this view.

with

source as (

    select * from {{ source('app', 'region_aliases') }}

),

renamed as (

    select
        -- ids
        source.alias_id,
        source.tenant_id,

        -- strings
        cast(source.country_code as text) as country_code,
        source.alias,
        source.region_code,
        source.created_by,

        -- timestamps
        source.created_at

    from source
    where not exists (
        select 1
        from {{ source('app', 'region_aliases') }} as newer
        where newer.tenant_id = source.tenant_id
            and newer.country_code = source.country_code
            and newer.alias = source.alias
            and newer.alias_id > source.alias_id
    )

)

select * from renamed
