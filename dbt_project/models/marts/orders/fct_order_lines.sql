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

with

-- the increment: every order that a batch committed after the watermark touched (an Amazon
-- items-only batch touches its order), recomputed from the full latest state of the order
lines_in_scope as (

    {{ select_touched_orders(ref('int_order_lines_unioned'), watermark) }}

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
        sku,
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
