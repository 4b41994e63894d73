-- The load ledger (raw.batches), one row per batch.

with

source as (

    select * from {{ source('raw', 'batches') }}

),

renamed as (

    select
        -- ids
        batch_id,
        tenant_id,
        source,
        store_id,
        commit_seq,

        -- strings
        origin,
        file_name,
        status,
        cursor_before,
        cursor_after,
        error,

        -- numerics
        fetched_count,
        landed_count,
        duplicate_count,
        rejected_count,

        -- timestamps
        started_at,
        finished_at

    from source

)

select * from renamed
