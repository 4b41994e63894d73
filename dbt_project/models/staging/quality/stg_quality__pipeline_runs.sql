with

source as (

    select * from {{ source('quality', 'pipeline_runs') }}

),

renamed as (

    select
        -- ids
        run_id,

        -- strings
        trigger,
        status,
        error,

        -- json
        summary,

        -- timestamps
        started_at,
        finished_at

    from source

)

select * from renamed
