-- A tenant's SKU mappings in effect: the latest row per (tenant, channel, store, platform key);
-- a latest row without a SKU removes the mapping. Scope: a store's own mapping (store_id set), a
-- channel's (store_id null) or every channel's (channel '*').
--
-- Looked up key by key (int_order_lines_sku_mapped): a filter on tenant_id, platform_key, channel
-- and store_id, the DISTINCT ON columns, is pushed down to the key index of app.sku_mappings.

with

source as (

    select * from {{ source('app', 'sku_mappings') }}

),

latest as (

    select distinct on (tenant_id, platform_key, channel, store_id)
        -- ids
        mapping_id,
        tenant_id,
        channel,
        store_id,
        platform_key,
        sku,

        -- strings
        case
            when store_id is not null then 'store'
            when channel = '*' then 'any_channel'
            else 'channel'
        end as mapping_scope,
        note,
        created_by,

        -- timestamps
        created_at

    from source
    order by tenant_id, platform_key, channel, store_id, mapping_id desc

)

select * from latest
where sku is not null
