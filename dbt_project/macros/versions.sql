{#- Landed versions and the latest version, for the staging models (DECISIONLOG.md, "Staging:
    versions and the latest version"). -#}

{#- The `source` CTE of a `stg_<source>__<entity>_versions` model: every raw row of a committed
    batch, with the raw row's metadata, its batch's commit_seq and the payload read once with
    jsonb_to_record. Called as a block; the block holds the payload's field list:

        {% call committed_raw_versions(source('raw', 'amazon_orders'), 'orders') -%}
            "OrderStatus" text,
            "OrderTotal" jsonb
        {%- endcall %}

    `extra_columns` are further raw columns to carry (Amazon items: `parent_key`). -#}
{% macro committed_raw_versions(raw_relation, alias, extra_columns=[]) -%}
    select
        {{ alias }}.raw_id,
        {{ alias }}.tenant_id,
        {{ alias }}.store_id,
        {{ alias }}.natural_key,
        {%- for column in extra_columns %}
        {{ alias }}.{{ column }},
        {%- endfor %}
        {{ alias }}.payload_sha256,
        {{ alias }}.batch_id,
        {{ alias }}.landed_at,
        batches.commit_seq,
        payload.*
    from {{ raw_relation }} as {{ alias }}
    -- Technical join, not a business rule: the commit order of the version's batch is the
    -- incremental watermark (DECISIONLOG.md, "The watermark").
    inner join {{ source('raw', 'batches') }} as batches
        on batches.batch_id = {{ alias }}.batch_id
    cross join lateral jsonb_to_record({{ alias }}.payload) as payload (
        {{ caller() | trim }}
    )
    where batches.commit_seq is not null
{%- endmacro %}


{#- The version lineage columns at the end of a versions model's `renamed` CTE, read from a
    `committed_raw_versions` source (no trailing comma). -#}
{% macro version_lineage_columns() -%}
    raw_id as _raw_id,
        batch_id as _batch_id,
        commit_seq as _commit_seq,
        landed_at as _landed_at,
        payload_sha256 as _payload_sha256
{%- endmacro %}


{#- True for the latest version of its key: no version of the same key in `versions_relation`
    is newer. Newer means a later `updated_column` (a missing time counts as the earliest), then
    a later batch commit_seq, then a higher raw_id; without an `updated_column` (Amazon items
    carry no update time) the one landed last. raw_id is unique, so exactly one version per key
    is the latest.

    Written as an anti-join on the keys rather than a window: a filter on the keys (an
    increment's lookup) reaches the raw table's key index on both sides. `alias` is the outer
    row's name; the newer side reads `versions_relation` itself, not an import CTE (Postgres
    would materialise a CTE read twice). -#}
{% macro is_latest_version(versions_relation, key_columns, updated_column=none, alias='versions') -%}
    {%- set same_key = [] -%}
    {%- for column in key_columns -%}
        {%- do same_key.append('newer.' ~ column ~ ' = ' ~ alias ~ '.' ~ column) -%}
    {%- endfor -%}
    not exists (
        select 1
        from {{ versions_relation }} as newer
        where {{ same_key | join('\n            and ') }}
            {%- if updated_column is none %}
            and (newer._commit_seq, newer._raw_id) > ({{ alias }}._commit_seq, {{ alias }}._raw_id)
            {%- else %}
            and (coalesce(newer.{{ updated_column }}, '-infinity'), newer._commit_seq, newer._raw_id)
                > (coalesce({{ alias }}.{{ updated_column }}, '-infinity'), {{ alias }}._commit_seq, {{ alias }}._raw_id)
            {%- endif %}
    )
{%- endmacro %}
