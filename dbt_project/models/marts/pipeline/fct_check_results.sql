{#- Not tenant data (no row-level security). A view, like dim_pipeline_runs. -#}
{{ config(materialized='view') }}

with

check_results as (

    select * from {{ ref('stg_quality__check_results') }}

),

final as (

    select
        check_result_id,
        run_id,
        check_name,
        asset,
        success,
        evaluated_count,
        failed_count,
        details,
        checked_at
    from check_results

)

select * from final
