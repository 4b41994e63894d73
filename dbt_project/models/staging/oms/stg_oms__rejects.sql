-- Records that could not be landed (raw.rejects), with a readable excerpt of their bytes.

with

source as (

    select * from {{ source('raw', 'rejects') }}

),

renamed as (

    select
        -- ids
        reject_id,
        tenant_id,
        source,
        store_id,
        batch_id,
        natural_key,

        -- strings
        file_name,
        reason,
        {{ utf8_excerpt('raw_bytes', 500) }} as raw_excerpt,
        raw_sha256,

        -- numerics
        record_index,
        octet_length(raw_bytes) as raw_size_bytes,

        -- timestamps
        rejected_at

    from source

)

select * from renamed
