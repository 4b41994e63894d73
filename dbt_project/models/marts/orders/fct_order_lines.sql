{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['tenant_id', 'order_key'],
        on_schema_change='append_new_columns',
        indexes=[
            {'columns': ['tenant_id', 'order_key']},
        ],
        post_hook=["{{ tenant_rls() }}"],
    )
}}

{#- Lines are replaced order by order (delete+insert on the order), so a line that disappeared
    from an edited order disappears here too (DECISIONLOG.md). -#}
{%- set watermark = batch_watermark() %}
{#- a tenant without a catalogue maps nothing: its lines are not waiting on a fix #}
{%- set catalogue = ref('stg_app__products') %}

with

-- the increment: every order that a batch committed after the watermark touched (an Amazon
-- items-only batch touches its order), and every order with a line still waiting on a SKU
-- mapping (a mapping made since applies to it), recomputed from the full latest state of the
-- order, each line with the seller's SKU (int_order_lines_sku_mapped)
lines_in_scope as (

    {{ select_touched_orders(
        ref('int_order_lines_sku_mapped'), watermark,
        reevaluate_where='waiting.sku is null and waiting.tenant_id in (select tenant_id from '
            ~ catalogue ~ ')'
    ) }}

),

final as (

    select
        tenant_id,
        order_key,
        line_key,
        channel,
        store_id,
        platform_order_id,
        platform_line_id,
        platform_sku,
        platform_listing_id,
        sku,
        sku_match_step,
        is_bundle,
        title,
        variant_title,
        quantity,
        unit_price_amount,
        line_amount,
        discount_amount,
        tax_amount,
        currency,
        is_gift,
        is_gift_wrapped,
        weight_kg,
        _batch_id as batch_id,
        _order_commit_seq as _commit_seq
    from lines_in_scope

)

select * from final
