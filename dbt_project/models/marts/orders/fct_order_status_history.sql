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

{#- One row per status transition of an order (its canonical or its channel status changed), from
    its landed versions in the order they succeed each other. A touched order's history is
    recomputed whole (delete+insert on the order). -#}
{%- set watermark = batch_watermark() %}

with

-- the increment: every order that a batch committed after the watermark touched (an Amazon
-- items-only batch touches its order), recomputed from the full latest state of the order
versions_in_scope as (

    {{ select_touched_orders(
        ref('int_order_status_transitions'), watermark,
        reevaluate_where="waiting.status = 'exception'"
    ) }}

),

transitions as (

    select *
    from versions_in_scope
    where is_transition

),

final as (

    select
        tenant_id,
        order_key,
        channel,
        store_id,
        platform_order_id,
        status,
        platform_status,
        previous_status,
        previous_platform_status,
        changed_at,
        version_number,
        _batch_id as batch_id,
        _landed_at as landed_at,
        _order_commit_seq as _commit_seq
    from transitions

)

select * from final
