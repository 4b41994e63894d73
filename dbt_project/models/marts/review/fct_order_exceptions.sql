{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['tenant_id', 'exception_type']},
            {'columns': ['tenant_id', 'exception_key']},
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

countries as (

    select region_code as country_code, name_en as country_name
    from {{ ref('regions') }}
    where level = 0

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
        order_history_times.current_status_since,
        countries.country_name,
        address_candidates.candidate_level,
        address_candidates.candidate_text,
        address_candidates.candidates as address_candidates,
        product_lines.unmapped_lines
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
    left join countries
        on countries.country_code = open_exceptions.ship_country
    -- the candidates are views that match on demand: looked up by the order's keys, only for the
    -- exceptions that need them (the condition on the type makes the lookup a one-time filter)
    left join lateral (
        select
            candidates.candidate_level,
            candidates.candidate_text,
            candidates.candidates
        from {{ ref('int_order_address_candidates') }} as candidates
        where open_exceptions.exception_type = 'unresolved_address'
            and candidates.tenant_id = open_exceptions.tenant_id
            and candidates.channel = open_exceptions.channel
            and candidates.store_id = open_exceptions.store_id
            and candidates.platform_order_id = open_exceptions.platform_order_id
        offset 0
    ) as address_candidates on true
    left join lateral (
        select
            jsonb_agg(
                jsonb_build_object(
                    'line_key', product_candidates.line_key,
                    'platform_sku', product_candidates.platform_sku,
                    'platform_listing_id', product_candidates.platform_listing_id,
                    'platform_key', coalesce(product_candidates.platform_sku, product_candidates.platform_listing_id),
                    'title', product_candidates.title,
                    'variant_title', product_candidates.variant_title,
                    'candidates', product_candidates.candidates
                )
                order by product_candidates.line_key
            ) as unmapped_lines
        from {{ ref('int_order_product_candidates') }} as product_candidates
        where open_exceptions.exception_type = 'unmapped_product'
            and product_candidates.tenant_id = open_exceptions.tenant_id
            and product_candidates.channel = open_exceptions.channel
            and product_candidates.store_id = open_exceptions.store_id
            and product_candidates.platform_order_id = open_exceptions.platform_order_id
    ) as product_lines on true

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
            when exception_type = 'unmapped_product' and jsonb_array_length(unmapped_lines) = 1
                then format(
                    '%s %s %L (%s) is not mapped to a catalogue SKU',
                    channel_label,
                    case when unmapped_lines -> 0 ->> 'platform_sku' is not null then 'SKU' else 'listing' end,
                    unmapped_lines -> 0 ->> 'platform_key',
                    concat_ws(' - ', unmapped_lines -> 0 ->> 'title', unmapped_lines -> 0 ->> 'variant_title')
                )
            when exception_type = 'unmapped_product'
                then format(
                    '%s lines of this %s order are not mapped to a catalogue SKU: %s',
                    coalesce(jsonb_array_length(unmapped_lines), 0),
                    channel_label,
                    (select string_agg(quote_literal(coalesce(line ->> 'platform_key', line ->> 'title')), ', ')
                     from jsonb_array_elements(unmapped_lines) as lines (line))
                )
            when exception_type = 'unresolved_address' and address_issue = 'postal_code_missing'
                then format('the address has no postal code, which %s requires', coalesce(country_name, ship_country))
            when exception_type = 'unresolved_address' and address_issue = 'postal_code_invalid'
                then format('postal code %L is not a valid %s postal code', ship_postal_code, coalesce(country_name, ship_country))
            when exception_type = 'unresolved_address' and address_issue = 'province_unmatched'
                then format('province %L is not a known province of %s', coalesce(candidate_text, ship_province), coalesce(country_name, ship_country))
            when exception_type = 'unresolved_address' and address_issue in ('city_unmatched', 'district_unmatched')
                then format(
                    '%s %L is not a known %s of %s',
                    case when address_issue = 'city_unmatched' then 'city' else 'district' end,
                    coalesce(candidate_text, ship_city, ship_district),
                    case when address_issue = 'city_unmatched' then 'city' else 'district' end,
                    coalesce(country_name, ship_country)
                )
            when exception_type = 'unresolved_address'
                then format(
                    'the place %L matched %s only at %s%% confidence',
                    coalesce(candidate_text, ship_city, ship_province),
                    coalesce(ship_region_code, 'nothing'),
                    round(coalesce(address_confidence, 0) * 100)
                )
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
            when exception_type = 'unmapped_product' then jsonb_build_object(
                'channel', channel,
                'unmapped_lines', coalesce(unmapped_lines, '[]'::jsonb)
            )
            when exception_type = 'unresolved_address' then jsonb_build_object(
                'ship_country', ship_country,
                'ship_province', ship_province,
                'ship_city', ship_city,
                'ship_district', ship_district,
                'ship_postal_code', ship_postal_code,
                'address_lines', address_lines,
                'address_issue', address_issue,
                'address_confidence', address_confidence,
                'address_match', address_match,
                'ship_region_code', ship_region_code,
                'candidate_level', candidate_level,
                'candidate_text', candidate_text,
                -- the place name's lookup form: a region alias is stored like this
                'candidate_alias', {{ normalise_place('candidate_text') }}
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
            -- the closest catalogue SKUs for the first unmapped line (every line's are in details)
            when exception_type = 'unmapped_product' then coalesce(unmapped_lines -> 0 -> 'candidates', '[]'::jsonb)
            -- the closest regions at the level that failed
            when exception_type = 'unresolved_address' then coalesce(address_candidates, '[]'::jsonb)
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
