{#- The batch watermark of an incremental mart: the highest batch commit_seq already in it, or
    none on a first build or a full refresh (then the model rebuilds everything). -#}
{% macro batch_watermark(column='_commit_seq') -%}
    {%- if execute and is_incremental() -%}
        {%- set result = run_query('select coalesce(max(' ~ column ~ '), 0) from ' ~ this) -%}
        {{- return(result.columns[0].values()[0] | int) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}


{#- The rows of `relation` that belong to the orders touched by a batch committed after
    `watermark` (every order when the watermark is none), each with `_order_commit_seq`: the
    highest commit_seq among the batches that touched the order (its versions or its items).
    That is the marts' `_commit_seq`, so the next run's watermark is past every batch taken here.

    `reevaluate_where`: a condition on the mart's own rows (`this`) naming orders to recompute on
    every increment even though no batch touched them: the orders waiting on a fix (an open
    exception, an unmapped line). A reviewer's fix is a row in an app table, not a batch; this
    way the next run takes it in for every order it applies to, whoever selected them
    (DECISIONLOG.md, "Fixes reach the marts").

    `relation` must have the order's keys: tenant_id, channel, store_id, platform_order_id.
    On an increment each touched order is looked up by its keys (a LATERAL subquery): Postgres
    pushes the keys down through the views to the raw tables' indexes, so the cost follows the
    number of touched orders, not the history. -#}
{% macro select_touched_orders(relation, watermark, reevaluate_where=none) -%}
    {#- referenced on every call, so that dbt records the dependency at parse time -#}
    {%- set manual_versions = ref('stg_manual__order_versions') -%}
    with

    touched_orders as (

        select
            tenant_id,
            channel,
            store_id,
            platform_order_id,
            max(_commit_seq) as last_commit_seq
        from {{ ref('int_order_changes_unioned') }}
        {%- if watermark is not none %}
        where _commit_seq > {{ watermark }}
        {%- endif %}
        group by 1, 2, 3, 4
        {%- if watermark is not none %}

        union all

        -- manual orders come through no batch (commit_seq 0) and are never edited: an increment
        -- takes those the mart does not hold yet
        select
            manual_orders.tenant_id,
            manual_orders.channel,
            manual_orders.store_id,
            manual_orders.platform_order_id,
            {{ watermark }} as last_commit_seq
        from {{ manual_versions }} as manual_orders
        where not exists (
            select 1
            from {{ this }} as held
            where held.tenant_id = manual_orders.tenant_id
                and held.order_key = {{ surrogate_key([
                    'manual_orders.tenant_id', 'manual_orders.channel',
                    'manual_orders.store_id', 'manual_orders.platform_order_id']) }}
        )
        {%- if reevaluate_where is not none %}

        union all

        select
            waiting.tenant_id,
            waiting.channel,
            waiting.store_id,
            waiting.platform_order_id,
            {{ watermark }} as last_commit_seq
        from {{ this }} as waiting
        where {{ reevaluate_where }}
        {%- endif %}
        {%- endif %}

    ),

    order_commits as (

        select
            tenant_id,
            channel,
            store_id,
            platform_order_id,
            max(last_commit_seq) as last_commit_seq
        from touched_orders
        group by 1, 2, 3, 4

    )

    {% if watermark is none -%}
    select
        scoped.*,
        order_commits.last_commit_seq as _order_commit_seq
    from {{ relation }} as scoped
    inner join order_commits
        on order_commits.tenant_id = scoped.tenant_id
        and order_commits.channel = scoped.channel
        and order_commits.store_id = scoped.store_id
        and order_commits.platform_order_id = scoped.platform_order_id
    {%- else -%}
    select
        scoped.*,
        order_commits.last_commit_seq as _order_commit_seq
    from order_commits
    cross join lateral (
        select *
        from {{ relation }} as touched
        where touched.tenant_id = order_commits.tenant_id
            and touched.channel = order_commits.channel
            and touched.store_id = order_commits.store_id
            and touched.platform_order_id = order_commits.platform_order_id
        -- a fence: without it Postgres merges this subquery into a plain join, and the keys no
        -- longer reach the raw indexes as parameters
        offset 0
    ) as scoped
    {%- endif %}
{%- endmacro %}
