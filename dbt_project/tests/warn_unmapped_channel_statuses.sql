-- A channel status that the mapping seed does not know. The orders themselves are safe (status
-- `exception`, exception type `unmapped_status`, in the reviewers' queue), so this warns rather
-- than fails: the pipeline keeps running while someone adds the status to channel_status_map.
{{ config(severity='warn') }}

select
    channel,
    platform_status,
    count(*) as orders
from {{ ref('fct_orders') }}
where 'unmapped_status' = any(exception_types)
group by 1, 2
