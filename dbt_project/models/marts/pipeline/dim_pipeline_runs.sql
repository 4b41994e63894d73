{#- Not tenant data (no row-level security). A view, so the app sees a run while it is still
    running, not as of the last build (DECISIONLOG.md). -#}
{{ config(materialized='view') }}

with

pipeline_runs as (

    select * from {{ ref('stg_quality__pipeline_runs') }}

),

final as (

    select
        run_id,
        trigger,
        status,
        started_at,
        finished_at,
        cast(extract(epoch from finished_at - started_at) as numeric(12, 3)) as duration_s,
        summary,
        error
    from pipeline_runs

)

select * from final
