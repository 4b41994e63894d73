-- For every unresolved order (int_orders_address_matched.is_address_unresolved): the best three
-- regions at the level that failed, to suggest as the correction. The level is the first required
-- level that matched nothing, else the required level with the lowest score (the upper one on a
-- tie, since the levels under it are looked for within it); the order's text for that level is
-- compared (pg_trgm similarity, codes aside) with the names and aliases of the regions at that
-- level: provinces and cities among the whole country's (a city may also be suggested through one
-- of its districts, since buyers type districts as cities; the matched province's cities come
-- first on equal scores), districts among the matched city's. A province that failed because none
-- was written is looked for through the city text. Each candidate names its parent, so a reviewer
-- sees which province a city lies in. An order whose only problem is its postal code has no
-- region candidates (an empty array).
--
-- A view, like the chain it reads: the exception queue looks its few orders up by their keys
-- (tenant_id, channel, store_id, platform_order_id), and the keys reach the raw tables through
-- int_orders_address_matched; a table would match every order's address on every run.

with

orders as (

    select * from {{ ref('int_orders_address_matched') }}

),

region_names as not materialized (

    select * from {{ ref('int_region_names_unioned') }}

),

unresolved_orders as (

    select
        orders.tenant_id,
        orders.order_key,
        orders.channel,
        orders.store_id,
        orders.platform_order_id,
        orders.ship_country,
        orders.ship_province_code,
        orders.ship_city_code,
        orders.address_issue,
        orders.address_match
    from orders
    where orders.is_address_unresolved

),

final as (

    select
        unresolved_orders.tenant_id,
        unresolved_orders.order_key,
        unresolved_orders.channel,
        unresolved_orders.store_id,
        unresolved_orders.platform_order_id,
        candidate_scope.candidate_level,
        candidate_scope.candidate_text,
        coalesce(best_regions.candidates, cast('[]' as jsonb)) as candidates
    from unresolved_orders

    -- the level that failed
    cross join lateral (
        select
            case unresolved_orders.address_issue
                when 'province_unmatched' then 1
                when 'city_unmatched' then 2
                when 'district_unmatched' then 3
                when 'low_confidence' then (
                    select required_levels.level
                    from (
                        values
                        (1, 'province'),
                        (2, 'city'),
                        (3, 'district')
                    ) as required_levels (level, level_name)
                    where required_levels.level
                        <= cast(unresolved_orders.address_match ->> 'match_level' as integer)
                    order by
                        cast(unresolved_orders.address_match -> required_levels.level_name ->> 'score'
                            as numeric),
                        required_levels.level
                    limit 1
                )
            end as failed_level
    ) as failure

    -- the levels and text to compare
    cross join lateral (
        select
            levels.candidate_level,
            levels.candidate_text,
            {{ normalise_place('levels.candidate_text') }} as candidate_norm,
            -- a city may be suggested by one of its districts (buyers type the district as the city)
            case when levels.candidate_level = 2 then 3 else levels.candidate_level end
                as deepest_level,
            case
                when cast(unresolved_orders.address_match -> 'province' ->> 'score' as numeric)
                    >= {{ var('address_confidence_threshold', 0.8) }}
                    then unresolved_orders.ship_province_code
            end as matched_province_code
        from (
            select
                case
                    -- no province written: look for it through the city
                    when failure.failed_level = 1
                        and unresolved_orders.address_match -> 'province' ->> 'text' is null
                        then 2
                    else failure.failed_level
                end as candidate_level,
                case
                    when failure.failed_level = 1
                        and unresolved_orders.address_match -> 'province' ->> 'text' is null
                        then unresolved_orders.address_match -> 'city' ->> 'text'
                    when failure.failed_level = 1
                        then unresolved_orders.address_match -> 'province' ->> 'text'
                    when failure.failed_level = 2
                        then unresolved_orders.address_match -> 'city' ->> 'text'
                    when failure.failed_level = 3
                        then unresolved_orders.address_match -> 'district' ->> 'text'
                end as candidate_text
        ) as levels
    ) as candidate_scope

    -- the three most similar regions: provinces among the country's; cities (and districts) among
    -- the whole country's, those of the matched province first on equal scores (the province may be
    -- the wrong one); districts among the matched city's
    cross join lateral (
        select
            jsonb_agg(
                jsonb_build_object(
                    'region_code', ranked.region_code,
                    'name_en', ranked.name_en,
                    'name_local', ranked.name_local,
                    'level', ranked.level,
                    'parent_name', ranked.parent_name_en,
                    'parent_name_local', ranked.parent_name_local,
                    'score', cast(ranked.score as double precision)
                )
                order by ranked.rank
            ) as candidates
        from (
            select
                scored.*,
                row_number() over (
                    order by scored.score desc, scored.is_in_matched_province desc, scored.region_code
                ) as rank
            from (
                select
                    names.region_code,
                    names.name_en,
                    names.name_local,
                    names.level,
                    names.parent_name_en,
                    names.parent_name_local,
                    coalesce(names.province_code = candidate_scope.matched_province_code, false)
                        as is_in_matched_province,
                    cast(max(similarity(names.alias, candidate_scope.candidate_norm)) as numeric(5, 4))
                        as score
                from region_names as names
                where candidate_scope.candidate_norm is not null
                    and names.country_code = unresolved_orders.ship_country
                    and names.level
                    between candidate_scope.candidate_level and candidate_scope.deepest_level
                    and coalesce(names.language, '') <> 'code'
                    and (
                        candidate_scope.candidate_level < 3
                        or names.city_code = unresolved_orders.ship_city_code
                    )
                group by 1, 2, 3, 4, 5, 6, 7
            ) as scored
            where scored.score >= {{ var('address_candidate_floor', 0.1) }}
            order by rank
            limit 3
        ) as ranked
    ) as best_regions

)

select * from final
