{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['tenant_id', 'exception_type']},
        ],
        post_hook=["{{ tenant_rls() }}"],
    )
}}

-- The exception queue: one row per open exception of an order (each entry of fct_orders'
-- exception_types), with a sentence saying what is wrong, the raw values a reviewer needs, and the
-- closest known values as suggested fixes (pg_trgm similarity). Rebuilt whole after fct_orders:
-- open exceptions are few, and a fixed one must disappear.

with

orders as (

    select * from {{ ref('fct_orders') }}

),

status_history as (

    select * from {{ ref('fct_order_status_history') }}

),

carrier_aliases as (

    select * from {{ ref('carrier_aliases') }}

),

carriers as (

    select * from {{ ref('carriers') }}

),

channel_status_map as (

    select * from {{ ref('channel_status_map') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_ranged') }}

),

open_exceptions as (

    select
        orders.*,
        order_exceptions.exception_type,
        cast(orders.ordered_at at time zone 'UTC' as date) as fx_date,
        case orders.channel
            when 'shopify' then 'Shopify'
            when 'amazon' then 'Amazon'
            when 'shopee' then 'Shopee'
            when 'lazada' then 'Lazada'
            when 'tiktok' then 'TikTok Shop'
            when 'woocommerce' then 'WooCommerce'
            when 'salla' then 'Salla'
            when 'manual' then 'Manual order'
            else orders.channel
        end as channel_label
    from orders
    cross join lateral unnest(orders.exception_types) as order_exceptions (exception_type)

),

order_history_times as (

    -- the first version's time, and when the current channel status was first seen (the
    -- history's latest row: a row is written whenever the channel or canonical status changes)
    select
        status_history.tenant_id,
        status_history.order_key,
        min(status_history.changed_at) as first_version_at,
        max(status_history.changed_at) as current_status_since
    from status_history
    inner join (select distinct tenant_id, order_key from open_exceptions) as excepted
        on excepted.tenant_id = status_history.tenant_id
        and excepted.order_key = status_history.order_key
    group by 1, 2

),

exceptions_with_context as (

    select
        open_exceptions.*,
        status_map_rule.note as status_map_note,
        order_rate.rate_to_usd is null as is_order_rate_missing,
        reporting_rate.rate_to_usd is null as is_reporting_rate_missing,
        order_history_times.first_version_at,
        order_history_times.current_status_since
    from open_exceptions
    left join channel_status_map as status_map_rule
        on status_map_rule.channel = open_exceptions.channel
        and status_map_rule.platform_status = open_exceptions.platform_status
        and status_map_rule.exception_type = open_exceptions.exception_type
    left join fx_rates as order_rate
        on order_rate.tenant_id = open_exceptions.tenant_id
        and order_rate.currency = open_exceptions.currency
        and order_rate.valid_from <= open_exceptions.fx_date
        and (order_rate.valid_to is null or open_exceptions.fx_date < order_rate.valid_to)
    left join fx_rates as reporting_rate
        on reporting_rate.tenant_id = open_exceptions.tenant_id
        and reporting_rate.currency = open_exceptions.reporting_currency
        and reporting_rate.valid_from <= open_exceptions.fx_date
        and (reporting_rate.valid_to is null or open_exceptions.fx_date < reporting_rate.valid_to)
    left join order_history_times
        on order_history_times.tenant_id = open_exceptions.tenant_id
        and order_history_times.order_key = open_exceptions.order_key

),

exceptions_explained as (

    select
        exceptions_with_context.*,
        case
            when exception_type = 'unmapped_status' and platform_status is null
                then format('%s sent no order status, so it cannot be mapped to a canonical status', channel_label)
            when exception_type = 'unmapped_status'
                then format('%s status %L is not mapped to a canonical status', channel_label, platform_status)
            when exception_type = 'unknown_carrier'
                then format('%s carrier %L is not a known carrier', channel_label, btrim(platform_carrier_name))
            when exception_type = 'missing_fx_rate'
                then format(
                    'no FX rate for %s on %s to convert the total into %s',
                    case when is_order_rate_missing then currency else reporting_currency end,
                    to_char(fx_date, 'YYYY-MM-DD'),
                    reporting_currency
                )
            when status_map_note is not null
                then format('%s status %L needs a person: %s', channel_label, platform_status, status_map_note)
            else format('%s order has the exception %s', channel_label, exception_type)
        end as reason,
        case
            when exception_type = 'unknown_carrier' then jsonb_build_object(
                'channel', channel,
                'platform_carrier_name', platform_carrier_name,
                'lookup_name', lower(btrim(platform_carrier_name)),
                'platform_status', platform_status,
                'tracking_numbers', to_jsonb(tracking_numbers)
            )
            when exception_type = 'missing_fx_rate' then jsonb_build_object(
                'currency', currency,
                'reporting_currency', reporting_currency,
                'fx_date', to_char(fx_date, 'YYYY-MM-DD'),
                'total_amount', total_amount,
                'missing_rates', to_jsonb(array_remove(array[
                    case when is_order_rate_missing then currency end,
                    case when is_reporting_rate_missing then reporting_currency end
                ], null))
            )
            else jsonb_build_object(
                'channel', channel,
                'platform_status', platform_status,
                'platform_updated_at', platform_updated_at
            )
        end as details,
        case
            -- the three closest carrier aliases this channel can use (its own and '*')
            when exception_type = 'unknown_carrier' then (
                select coalesce(
                    jsonb_agg(
                        jsonb_build_object(
                            'carrier_code', closest.carrier_code,
                            'carrier_name', closest.carrier_name,
                            'alias', closest.alias,
                            'alias_channel', closest.alias_channel,
                            'score', closest.score
                        )
                        order by closest.score desc, closest.alias, closest.alias_channel
                    ),
                    '[]'::jsonb
                )
                from (
                    select
                        carrier_aliases.carrier_code,
                        carriers.name as carrier_name,
                        carrier_aliases.platform_carrier_name as alias,
                        carrier_aliases.channel as alias_channel,
                        round(cast(similarity(
                            carrier_aliases.platform_carrier_name,
                            lower(btrim(exceptions_with_context.platform_carrier_name))
                        ) as numeric), 3) as score
                    from carrier_aliases
                    inner join carriers
                        on carriers.carrier_code = carrier_aliases.carrier_code
                    where carrier_aliases.channel in (exceptions_with_context.channel, '*')
                    order by score desc, alias, alias_channel
                    limit 3
                ) as closest
            )
            -- the three closest statuses the channel's map knows
            when exception_type = 'unmapped_status' then (
                select coalesce(
                    jsonb_agg(
                        jsonb_build_object(
                            'platform_status', closest.platform_status,
                            'status', closest.status,
                            'score', closest.score
                        )
                        order by closest.score desc, closest.platform_status
                    ),
                    '[]'::jsonb
                )
                from (
                    select
                        channel_status_map.platform_status,
                        channel_status_map.status,
                        round(cast(similarity(
                            lower(channel_status_map.platform_status),
                            lower(coalesce(exceptions_with_context.platform_status, ''))
                        ) as numeric), 3) as score
                    from channel_status_map
                    where channel_status_map.channel = exceptions_with_context.channel
                    order by score desc, channel_status_map.platform_status
                    limit 3
                ) as closest
            )
            else '[]'::jsonb
        end as suggestions,
        -- when the order first had this exception (DECISIONLOG.md): a status or carrier problem
        -- since the current channel status was first seen, an FX problem since the first version
        coalesce(
            case
                when exception_type = 'missing_fx_rate' then first_version_at
                else current_status_since
            end,
            status_changed_at,
            landed_at
        ) as first_seen_at
    from exceptions_with_context

),

final as (

    select
        tenant_id,
        {{ surrogate_key(['order_key', 'exception_type']) }} as exception_key,
        order_key,
        store_id,
        channel,
        platform_order_id,
        platform_order_name,
        exception_type,
        reason,
        details,
        suggestions,
        ordered_at,
        first_seen_at,
        -- age at build time (the queue is rebuilt on every run)
        cast(
            round(cast(extract(epoch from (now() - first_seen_at)) / 3600 as numeric), 1)
            as numeric(12, 1)
        ) as age_hours,
        -- when this queue was built: a fix made after it (app.exception_fixes) is still pending
        cast(now() as timestamptz) as built_at
    from exceptions_explained

)

select * from final
