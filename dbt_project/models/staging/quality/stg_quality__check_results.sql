with

source as (

    select * from {{ source('quality', 'check_results') }}

),

renamed as (

    select
        -- ids
        check_result_id,
        run_id,

        -- strings
        check_name,
        asset,

        -- numerics
        evaluated_count,
        failed_count,

        -- booleans
        success,

        -- json
        details,

        -- timestamps
        checked_at

    from source

)

select * from renamed
