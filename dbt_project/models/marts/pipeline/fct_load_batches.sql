{{ config(post_hook=["{{ tenant_rls() }}"]) }}

with

batches as (

    select * from {{ ref('stg_oms__batches') }}

),

final as (

    select
        tenant_id,
        batch_id,
        source,
        store_id,
        origin,
        file_name,
        status,
        fetched_count,
        landed_count,
        duplicate_count,
        rejected_count,
        cursor_before,
        cursor_after,
        error,
        commit_seq,
        started_at,
        finished_at
    from batches

)

select * from final
