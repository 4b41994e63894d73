-- Which order each landed version touches, and in which batch: one row per raw version of an
-- order or of one of its items. The incremental marts pick the orders touched after their
-- watermark from here (an Amazon items-only batch touches the items' order).

{#- Every versions model in staging, with the kind of change its rows are. Each is read the same
    way: a new channel's versions model is one more entry. -#}
{%- set versions_models = [
    ('stg_shopify__order_versions', 'order'),
    ('stg_amazon__order_versions', 'order'),
    ('stg_amazon__order_item_versions', 'item'),
] %}
{%- for channel, _ in common_shape_channels() %}
    {%- do versions_models.append(('stg_' ~ channel ~ '__order_versions', 'order')) %}
{%- endfor %}
{%- do versions_models.append(('stg_lazada__order_item_versions', 'item')) %}

with

unioned as (

    {% for versions_model, change_kind in versions_models -%}
    select
        {{ order_key_columns() }},
        cast('{{ change_kind }}' as text) as change_kind,
        cast(_batch_id as bigint) as _batch_id,
        cast(_commit_seq as bigint) as _commit_seq
    from {{ ref(versions_model) }}
    {%- if not loop.last %}

    union all

    {% endif -%}
    {% endfor %}

)

select * from unioned
