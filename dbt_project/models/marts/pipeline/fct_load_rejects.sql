{{ config(post_hook=["{{ tenant_rls() }}"]) }}

with

rejects as (

    select * from {{ ref('stg_oms__rejects') }}

),

final as (

    select
        tenant_id,
        reject_id,
        batch_id,
        source,
        store_id,
        file_name,
        record_index,
        natural_key,
        reason,
        raw_excerpt,
        raw_size_bytes,
        rejected_at
    from rejects

)

select * from final
