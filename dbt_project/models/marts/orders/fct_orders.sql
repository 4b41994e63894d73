{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['tenant_id', 'order_key'],
        on_schema_change='append_new_columns',
        indexes=[
            {'columns': ['tenant_id', 'ordered_at desc']},
            {'columns': ['tenant_id', 'platform_order_name']},
            {'columns': ['tenant_id', 'buyer_phone_e164']},
            {'columns': ['tenant_id', 'store_id', 'status']},
            {'columns': ['tracking_numbers'], 'type': 'gin'},
        ],
        post_hook=["{{ tenant_rls() }}"],
    )
}}

{#- On an incremental run: the highest batch commit_seq already merged (DECISIONLOG.md). -#}
{%- set watermark = batch_watermark() %}
{%- set catalogue = ref('stg_app__products') %}

with

-- the increment: every order that a batch committed after the watermark touched (an Amazon
-- items-only batch touches its order), every order in the exception queue (a fix made in the app
-- since is taken in), and orders with lines no catalogue SKU was found for once their tenant has
-- a catalogue (a first catalogue import reaches the orders before it), each recomputed from the
-- full latest state of the order
orders_in_scope as (

    {{ select_touched_orders(
        ref('int_orders_status_mapped'), watermark,
        reevaluate_where='cardinality(waiting.exception_types) > 0 or (waiting.unmapped_line_count > 0'
            ~ ' and waiting.tenant_id in (select tenant_id from ' ~ catalogue ~ '))'
    ) }}

),

final as (

    select
        tenant_id,
        order_key,
        channel,
        store_id,
        platform_order_id,
        platform_order_name,
        ordered_at,
        platform_updated_at,
        landed_at,
        platform_status,
        status,
        status_changed_at,
        payment_method,
        is_cod,
        currency,
        items_amount,
        shipping_amount,
        discount_amount,
        tax_amount,
        total_amount,
        cod_amount,
        total_amount_reporting,
        reporting_currency,
        buyer_name,
        buyer_phone_raw,
        buyer_phone_e164,
        is_phone_valid,
        is_pii_masked,
        buyer_key,
        ship_country,
        ship_province,
        ship_city,
        ship_district,
        ship_region_code,
        ship_province_code,
        ship_city_code,
        ship_district_code,
        ship_postal_code,
        is_postal_code_valid,
        address_lines,
        address_confidence,
        address_issue,
        address_match,
        line_count,
        unit_count,
        unmapped_line_count,
        weight_kg,
        tags,
        hold_reasons,
        exception_types,
        version,
        tracking_numbers,
        carrier_code,
        platform_carrier_name,
        batch_id,
        _order_commit_seq as _commit_seq
    from orders_in_scope

)

select * from final
