-- Each order's ship-to place matched to the region table (seed regions): province, city and
-- district codes, how each was found (address_match), a confidence, the postal code checked, and
-- whether the address needs a person (is_address_unresolved, address_issue).
--
-- Per level, top down within the ship country: exact (a region's own English or local name),
-- then alias (the tenant's own alias first, then the seed's), then fuzzy (pg_trgm similarity, only
-- when exact and alias found nothing), else none. Buyers put places in the wrong field, so:
--   - the province field is matched among the country's provinces; the city field among the
--     cities of that province, or of the whole country when the province field named none (the
--     province is then the city's parent: step `parent`);
--   - a city field that names a district gives the district and its city;
--   - a province field that names a city gives the city (and its province) when the city field is
--     empty or the province field named no province ("Jeddah" typed as the province);
--   - the district field is matched among the districts of the city.
-- A reviewer's correction (app.address_corrections) wins over all of it.
--
-- Pushdown: the marts look orders up one by one by their keys through this view. Every lookup is
-- a LATERAL subquery on the order's own values (each a probe of an index: the region names
-- table, the app tables), so the keys still reach the raw tables under int_orders_unioned. For
-- that the lookup relations below are `not materialized` (Postgres would otherwise materialise a
-- CTE that is read more than once, and scan it in full at every lookup), and the chain of lookups
-- is one select rather than a CTE per step (each step needs the order's row and every column of
-- int_orders_unioned goes through to the result).

with

orders as (

    select * from {{ ref('int_orders_unioned') }}

),

region_names as not materialized (

    select * from {{ ref('int_region_names_unioned') }}

),

region_countries as not materialized (

    select
        cast(country_code as text) as country_code,
        cast(match_level as integer) as match_level,
        cast(nullif(btrim(cast(postal_code_pattern as text)), '') as text) as postal_code_pattern,
        coalesce(cast(postal_code_required as boolean), false) as is_postal_code_required
    from {{ ref('region_countries') }}

),

tenant_region_aliases as not materialized (

    select * from {{ ref('stg_app__region_aliases') }}

),

address_corrections as not materialized (

    select * from {{ ref('stg_app__address_corrections') }}

),

final as (

    select
        orders.*,
        resolved.ship_province_code,
        resolved.ship_city_code,
        resolved.ship_district_code,
        resolved.ship_region_code,
        assessed.address_confidence,
        case when address_texts.is_matchable then jsonb_build_object(
            'province', jsonb_build_object(
                'step', resolved.province_step,
                'text', address_texts.province_text,
                'field', 'ship_province',
                'score', cast(resolved.province_score as double precision),
                'region_code', resolved.ship_province_code
            ),
            'city', jsonb_build_object(
                'step', resolved.city_step,
                'text', resolved.city_text,
                'field', resolved.city_field,
                'score', cast(resolved.city_score as double precision),
                'region_code', resolved.ship_city_code
            ),
            'district', jsonb_build_object(
                'step', resolved.district_step,
                'text', resolved.district_text,
                'field', resolved.district_field,
                'score', cast(resolved.district_score as double precision),
                'region_code', resolved.ship_district_code
            ),
            'postal_code', jsonb_build_object(
                'value', postal.postal_code,
                'source', postal.postal_code_source,
                'is_valid', postal.is_postal_code_valid,
                'is_required', country_rules.is_postal_code_required
            ),
            'match_level', country_rules.match_level,
            'correction_id', correction.correction_id
        ) end as address_match,
        postal.is_postal_code_valid,
        assessed.address_issue is not null as is_address_unresolved,
        assessed.address_issue

    from orders

    -- the country's rules: how deep an order must resolve, its postal code pattern. A country
    -- not in region_countries is not matched at all.
    left join region_countries as country_rules
        on country_rules.country_code = orders.ship_country

    -- the address as typed; a masked value (Shopee and TikTok hide PII with '*') counts as absent
    cross join lateral (
        select
            unmasked.*,
            {{ normalise_place('unmasked.province_text') }} as province_norm,
            {{ normalise_place('unmasked.city_text') }} as city_norm,
            {{ normalise_place('unmasked.district_text') }} as district_norm,
            -- an order has an address once it names a province, a city or street lines (an Amazon
            -- Pending order has none yet); only such orders in a covered country are matched
            country_rules.country_code is not null
            and coalesce(unmasked.province_text, unmasked.city_text, unmasked.address_lines_text)
            is not null as is_matchable
        from (
            select
                {%- for field in ['province', 'city', 'district', 'postal_code'] %}
                case
                    when orders.ship_{{ field }} like '%*%' then null
                    else nullif(btrim(orders.ship_{{ field }}), '')
                end as {{ field }}_text,
                {%- endfor %}
                case
                    when orders.address_lines like '%*%' then null
                    else nullif(btrim(orders.address_lines), '')
                end as address_lines_text
        ) as unmasked
        -- a fence: evaluate the normalisation once per order, not at every use below
        offset 0
    ) as address_texts

    -- a reviewer's correction: the region (its ancestors fill the levels above it) and the postal
    -- code. A region code that is not in the region table corrects nothing but the postal code.
    left join lateral (
        select
            corrections.correction_id,
            corrections.postal_code,
            corrected.province_code,
            corrected.city_code,
            case when corrected.level = 3 then corrected.region_code end as district_code
        from address_corrections as corrections
        left join region_names as corrected
            on corrected.region_code = corrections.region_code
            and corrected.is_primary
        where corrections.tenant_id = orders.tenant_id
            and corrections.order_key = orders.order_key
        limit 1
    ) as correction on true

    -- province: the province field among the country's provinces (exact, alias); looked up even
    -- under a correction, since whether the field named a province steers the city lookups below
    left join lateral {{ region_exact_or_alias(
        'address_texts.province_norm', 'orders.ship_country', 'orders.tenant_id', 1,
        when='address_texts.is_matchable',
    ) }} as province_named on true

    -- city: the city field among the cities of the province (of the country when no province)
    left join lateral {{ region_exact_or_alias(
        'address_texts.city_norm', 'orders.ship_country', 'orders.tenant_id', 2,
        within_column='province_code',
        within_expr='coalesce(correction.province_code, province_named.region_code)',
        when='address_texts.is_matchable and correction.city_code is null',
    ) }} as city_named on true

    -- ... else the city field names a district: the district's city
    left join lateral {{ region_exact_or_alias(
        'address_texts.city_norm', 'orders.ship_country', 'orders.tenant_id', 3,
        within_column='province_code',
        within_expr='coalesce(correction.province_code, province_named.region_code)',
        when='address_texts.is_matchable and correction.city_code is null
            and city_named.region_code is null',
    ) }} as district_in_city_field on true

    -- ... else the province field names a city, when the city field is empty or the province
    -- field named no province (a province field that named one, beside an unknown city, is left
    -- alone: the unknown city may be a town of that province)
    left join lateral {{ region_exact_or_alias(
        'address_texts.province_norm', 'orders.ship_country', 'orders.tenant_id', 2,
        within_column='province_code',
        within_expr='coalesce(correction.province_code, province_named.region_code)',
        when='address_texts.is_matchable and correction.city_code is null
            and city_named.region_code is null and district_in_city_field.region_code is null
            and (address_texts.city_norm is null or province_named.region_code is null)',
    ) }} as city_in_province_field on true

    -- the city found without fuzzy matching, if any
    cross join lateral (
        select
            coalesce(
                city_named.city_code, district_in_city_field.city_code, city_in_province_field.city_code
            ) as city_code,
            coalesce(
                city_named.province_code,
                district_in_city_field.province_code,
                city_in_province_field.province_code
            ) as province_code,
            -- a city read from a district's name is that district's parent
            case
                when city_named.region_code is not null then city_named.step
                when district_in_city_field.region_code is not null then 'parent'
                else city_in_province_field.step
            end as step,
            coalesce(city_named.score, district_in_city_field.score, city_in_province_field.score)
                as score
    ) as city_known

    -- province, fuzzy: only when neither the province field nor a city named one
    left join lateral {{ region_fuzzy(
        'address_texts.province_norm', 'orders.ship_country', 'orders.tenant_id', 1,
        when='address_texts.is_matchable and correction.province_code is null
            and province_named.region_code is null and city_known.city_code is null
            and address_texts.province_norm is not null',
        min_score=address_fuzzy_floor('country_rules.match_level', 1),
    ) }} as province_fuzzy on true

    -- city, fuzzy: the city field (the province field when the city field is empty) among the
    -- cities of the province found so far, else of the country
    left join lateral {{ region_fuzzy(
        'coalesce(address_texts.city_norm, address_texts.province_norm)',
        'orders.ship_country', 'orders.tenant_id', 2,
        within_column='province_code',
        within_expr='coalesce(
            correction.province_code, province_named.region_code, province_fuzzy.region_code
        )',
        when='address_texts.is_matchable and correction.city_code is null
            and city_known.city_code is null
            and coalesce(address_texts.city_norm, address_texts.province_norm) is not null',
        min_score=address_fuzzy_floor('country_rules.match_level', 2),
    ) }} as city_fuzzy on true

    -- province and city as matched
    cross join lateral (
        select
            coalesce(
                correction.province_code,
                province_named.region_code,
                city_known.province_code,
                province_fuzzy.region_code,
                city_fuzzy.province_code
            ) as province_code,
            case
                when correction.province_code is not null then 'corrected'
                when province_named.region_code is not null then province_named.step
                when city_known.province_code is not null then 'parent'
                when province_fuzzy.region_code is not null then 'fuzzy'
                when city_fuzzy.province_code is not null then 'parent'
                else 'none'
            end as province_step,
            coalesce(
                case when correction.province_code is not null then cast(1 as numeric(5, 4)) end,
                province_named.score,
                city_known.score,
                province_fuzzy.score,
                city_fuzzy.score,
                cast(0 as numeric(5, 4))
            ) as province_score,
            coalesce(correction.city_code, city_known.city_code, city_fuzzy.city_code) as city_code,
            case
                when correction.city_code is not null then 'corrected'
                when city_known.city_code is not null then city_known.step
                when city_fuzzy.city_code is not null then 'fuzzy'
                else 'none'
            end as city_step,
            coalesce(
                case when correction.city_code is not null then cast(1 as numeric(5, 4)) end,
                city_known.score,
                city_fuzzy.score,
                cast(0 as numeric(5, 4))
            ) as city_score,
            -- the field the city was read from
            case
                when correction.city_code is not null then null
                when city_in_province_field.city_code is not null then 'ship_province'
                when city_known.city_code is null and address_texts.city_norm is null
                    and address_texts.province_norm is not null then 'ship_province'
                else 'ship_city'
            end as city_field
    ) as places_matched

    -- district: the district field among the city's districts (exact, alias); a district named in
    -- the city field was found above
    left join lateral {{ region_exact_or_alias(
        'address_texts.district_norm', 'orders.ship_country', 'orders.tenant_id', 3,
        within_column='city_code',
        within_expr='places_matched.city_code',
        when='address_texts.is_matchable and correction.district_code is null
            and places_matched.city_code is not null
            and district_in_city_field.region_code is null',
    ) }} as district_named on true

    -- ... else the city field, when the city came from elsewhere (the province field) and the
    -- district field did not name one: the city field may hold the district
    left join lateral {{ region_exact_or_alias(
        'address_texts.city_norm', 'orders.ship_country', 'orders.tenant_id', 3,
        within_column='city_code',
        within_expr='places_matched.city_code',
        when="address_texts.is_matchable and correction.district_code is null
            and places_matched.city_code is not null and places_matched.city_field = 'ship_province'
            and district_in_city_field.region_code is null and district_named.region_code is null",
    ) }} as district_in_city_field_late on true

    -- district, fuzzy: the district field among the city's districts
    left join lateral {{ region_fuzzy(
        'address_texts.district_norm', 'orders.ship_country', 'orders.tenant_id', 3,
        within_column='city_code',
        within_expr='places_matched.city_code',
        when='address_texts.is_matchable and correction.district_code is null
            and places_matched.city_code is not null
            and district_in_city_field.region_code is null and district_named.region_code is null
            and district_in_city_field_late.region_code is null
            and address_texts.district_norm is not null',
        min_score=address_fuzzy_floor('country_rules.match_level', 3),
    ) }} as district_fuzzy on true

    -- every level as matched (lookups run for matchable orders only, so the rest have no codes)
    cross join lateral (
        select
            places_matched.province_code as ship_province_code,
            places_matched.city_code as ship_city_code,
            coalesce(
                correction.district_code,
                district_in_city_field.region_code,
                district_named.region_code,
                district_in_city_field_late.region_code,
                district_fuzzy.region_code
            ) as ship_district_code,
            places_matched.province_step,
            places_matched.province_score,
            places_matched.city_step,
            places_matched.city_score,
            places_matched.city_field,
            case places_matched.city_field
                when 'ship_city' then address_texts.city_text
                when 'ship_province' then address_texts.province_text
            end as city_text,
            case
                when correction.district_code is not null then 'corrected'
                when district_in_city_field.region_code is not null then district_in_city_field.step
                when district_named.region_code is not null then district_named.step
                when district_in_city_field_late.region_code is not null
                    then district_in_city_field_late.step
                when district_fuzzy.region_code is not null then 'fuzzy'
                else 'none'
            end as district_step,
            coalesce(
                case when correction.district_code is not null then cast(1 as numeric(5, 4)) end,
                district_in_city_field.score,
                district_named.score,
                district_in_city_field_late.score,
                district_fuzzy.score,
                cast(0 as numeric(5, 4))
            ) as district_score,
            case
                when correction.district_code is not null then null
                when district_in_city_field.region_code is not null
                    or district_in_city_field_late.region_code is not null then 'ship_city'
                else 'ship_district'
            end as district_field
    ) as levels

    cross join lateral (
        select
            levels.*,
            case
                when levels.district_field = 'ship_city' then address_texts.city_text
                when levels.district_field = 'ship_district' then address_texts.district_text
            end as district_text,
            -- the deepest level matched; the country itself for an address that matched nothing
            -- below it (e.g. Singapore, where no province is written)
            case when address_texts.is_matchable then coalesce(
                levels.ship_district_code,
                levels.ship_city_code,
                levels.ship_province_code,
                country_rules.country_code
            ) end as ship_region_code
    ) as resolved

    -- the postal code (a corrected one replaces the order's), checked against the country's
    -- pattern as a whole string; null when the country has no pattern or none is given
    cross join lateral (
        select
            coalesce(correction.postal_code, address_texts.postal_code_text) as postal_code,
            case
                when correction.postal_code is not null then 'correction'
                when address_texts.postal_code_text is not null then 'order'
            end as postal_code_source,
            case
                when country_rules.postal_code_pattern is null then null
                when coalesce(correction.postal_code, address_texts.postal_code_text) is null then null
                else coalesce(correction.postal_code, address_texts.postal_code_text)
                    ~ ('^(' || country_rules.postal_code_pattern || ')$')
            end as is_postal_code_valid
    ) as postal

    -- confidence: the lowest score among the levels the country requires (deeper levels are a
    -- bonus); a correction is certain. The first problem found is the issue.
    cross join lateral (
        select
            confidence.address_confidence,
            case
                when not address_texts.is_matchable then null
                when correction.province_code is null
                    and country_rules.match_level >= 1 and resolved.ship_province_code is null
                    then 'province_unmatched'
                when correction.province_code is null
                    and country_rules.match_level >= 2 and resolved.ship_city_code is null
                    then 'city_unmatched'
                when correction.province_code is null
                    and country_rules.match_level >= 3 and resolved.ship_district_code is null
                    then 'district_unmatched'
                when confidence.address_confidence
                    < {{ var('address_confidence_threshold', 0.8) }} then 'low_confidence'
                when country_rules.is_postal_code_required and postal.postal_code is null
                    then 'postal_code_missing'
                when country_rules.is_postal_code_required and not postal.is_postal_code_valid
                    then 'postal_code_invalid'
            end as address_issue
        from (
            select
                case
                    when not address_texts.is_matchable then null
                    when correction.province_code is not null then cast(1 as numeric(5, 4))
                    else cast(least(
                        case when country_rules.match_level >= 1 then resolved.province_score end,
                        case when country_rules.match_level >= 2 then resolved.city_score end,
                        case when country_rules.match_level >= 3 then resolved.district_score end,
                        1
                    ) as numeric(5, 4))
                end as address_confidence
        ) as confidence
    ) as assessed

)

select * from final
