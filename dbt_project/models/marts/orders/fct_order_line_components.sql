{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['tenant_id', 'order_key'],
        on_schema_change='append_new_columns',
        indexes=[
            {'columns': ['tenant_id', 'order_key']},
            {'columns': ['tenant_id', 'component_sku']},
        ],
        post_hook=["{{ tenant_rls() }}"],
    )
}}

{#- What each order line ships as: a bundle line one row per component, any other line one row
    for its own SKU, an unmapped line one row without a component SKU (int_order_line_components),
    with the line's amounts shared out to the minor unit. Replaced order by order like
    fct_order_lines, on the same batch watermark; orders with an unmapped line are recomputed on
    every run, so a SKU mapping made since reaches them. -#}
{%- set watermark = batch_watermark() %}
{#- a tenant without a catalogue maps nothing: its lines are not waiting on a fix #}
{%- set catalogue = ref('stg_app__products') %}

with

-- the increment: every order that a batch committed after the watermark touched, and every order
-- still waiting on a SKU mapping, recomputed from the full latest state of the order
components_in_scope as (

    {{ select_touched_orders(
        ref('int_order_line_components'), watermark,
        reevaluate_where='waiting.component_sku is null and waiting.tenant_id in (select tenant_id from '
            ~ catalogue ~ ')'
    ) }}

),

final as (

    select
        tenant_id,
        order_key,
        line_key,
        component_key,
        channel,
        store_id,
        platform_order_id,
        platform_line_id,
        line_sku,
        sku_match_step,
        is_sku_unmapped,
        component_sku,
        component_title,
        component_variant_title,
        is_bundle_component,
        component_number,
        units_per_line_unit,
        quantity,
        price_share,
        line_amount,
        discount_amount,
        tax_amount,
        currency,
        weight_kg,
        _batch_id as batch_id,
        _order_commit_seq as _commit_seq
    from components_in_scope

)

select * from final
