-- Every version of every order with its channel status mapped to the canonical status: the
-- material of the status history, and of when the current status was first seen.

{#- Every order versions model in staging, with the column that holds the platform's update
    time of the version. Each is read the same way: a new channel's model is one more entry. -#}
{%- set versions_models = [
    ('stg_shopify__order_versions', 'updated_at'),
    ('stg_amazon__order_versions', 'last_updated_at'),
] %}
{%- for channel, _ in common_shape_channels() %}
    {%- do versions_models.append(('stg_' ~ channel ~ '__order_versions', 'version_sort_at')) %}
{%- endfor %}

with

unioned as (

    {% for versions_model, updated_column in versions_models -%}
    select
        {{ order_key_columns() }},
        cast(platform_status as text) as platform_status,
        cast({{ updated_column }} as timestamptz) as platform_updated_at,
        cast(_raw_id as bigint) as _raw_id,
        cast(_batch_id as bigint) as _batch_id,
        cast(_commit_seq as bigint) as _commit_seq,
        cast(_landed_at as timestamptz) as _landed_at
    from {{ ref(versions_model) }}
    {%- if not loop.last %}

    union all

    {% endif -%}
    {% endfor %}

),

mapped as (

    select
        {{ surrogate_key(['unioned.tenant_id', 'unioned.channel', 'unioned.store_id', 'unioned.platform_order_id']) }}
            as order_key,
        unioned.tenant_id,
        unioned.channel,
        unioned.store_id,
        unioned.platform_order_id,
        unioned.platform_status,
        {{ canonical_status('status_map') }} as status,
        {{ status_is_unmapped('status_map') }} as is_status_unmapped,
        -- the platform's update time of the version (the landing time if it sent none)
        coalesce(unioned.platform_updated_at, unioned._landed_at) as changed_at,
        -- the order in which versions succeed each other (the same as in staging's latest pick)
        coalesce(unioned.platform_updated_at, '-infinity') as _version_sort_at,
        unioned._raw_id,
        unioned._batch_id,
        unioned._commit_seq,
        unioned._landed_at
    from unioned
    {{ canonical_status_join('unioned.tenant_id', 'unioned.channel', 'unioned.platform_status', 'status_map') }}

)

select * from mapped
