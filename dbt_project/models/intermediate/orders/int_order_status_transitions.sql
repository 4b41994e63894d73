-- Every version of every order beside the one before it, in the order versions succeed each
-- other (platform update time, then batch commit_seq, then raw_id), flagged where the canonical
-- or the channel's status changed. The window is partitioned by the order's keys, so a filter on
-- one order's keys still reaches the raw index.

with

order_versions as (

    select * from {{ ref('int_order_versions_status_mapped') }}

),

versions_with_previous as (

    select
        order_versions.*,
        lag(order_versions.status) over version_order as previous_status,
        lag(order_versions.platform_status) over version_order as previous_platform_status,
        row_number() over version_order as version_number
    from order_versions
    window version_order as (
        partition by
            order_versions.tenant_id,
            order_versions.channel,
            order_versions.store_id,
            order_versions.platform_order_id
        order by
            order_versions._version_sort_at,
            order_versions._commit_seq,
            order_versions._raw_id
    )

),

flagged as (

    select
        versions_with_previous.*,
        previous_status is distinct from status as is_status_change,
        previous_status is distinct from status
        or previous_platform_status is distinct from platform_status as is_transition
    from versions_with_previous

)

select * from flagged
