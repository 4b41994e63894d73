{#- Address matching lookups (int_orders_address_matched). Each macro is a derived table of at most
    one row, meant for `left join lateral {{ ... }} as x on true`, with the columns
    region_code, province_code, city_code (the region's own and its ancestors'), step, score.

    The calling model must have these relations (import CTEs, `not materialized` so that each
    lookup is a probe of the indexes underneath): region_names (int_region_names_unioned) and
    tenant_region_aliases (stg_app__region_aliases).

    `text_expr` is an already normalised text (normalise_place); `within_column` / `within_expr`
    narrow the lookup to the regions under a province or city (`province_code` / `city_code`);
    a null `within_expr` searches the whole country. `when` is a condition on the order alone: when
    it is false the lookup does not run at all (Postgres turns it into a one-time filter).

    A text that names several regions equally well (the same district name in two cities) is no
    match at that step: the lookup goes on to the next step, or returns no row, rather than guess. -#}


{#- exact -> alias: the text equals one of a region's own names (exact, 1.0); else the tenant's
    own alias (app.region_aliases, score var tenant_alias_score); else a seed alias (score var
    seed_alias_score), unless the tenant's latest row for that text removed it. -#}
{% macro region_exact_or_alias(
    text_expr, country_expr, tenant_expr, level, within_column=none, within_expr=none, when='true'
) -%}
(
    select
        best.region_code,
        best.province_code,
        best.city_code,
        best.step,
        best.score
    from (
        select
            per_region.*,
            -- regions found at each step: more than one is ambiguous
            count(*) over (partition by per_region.priority) as region_count
        from (
            select distinct on (matches.priority, matches.region_code)
                matches.*
            from (
                select
                    names.region_code,
                    names.province_code,
                    names.city_code,
                    'exact' as step,
                    cast(1 as numeric(5, 4)) as score,
                    1 as priority
                from region_names as names
                where ({{ when }})
                    and names.country_code = {{ country_expr }}
                    and names.level = {{ level }}
                    and names.alias = {{ text_expr }}
                    and names.is_name
                    {{- _region_within('names', within_column, within_expr) }}

                union all

                select
                    regions.region_code,
                    regions.province_code,
                    regions.city_code,
                    'alias' as step,
                    cast({{ var('tenant_alias_score', 1.0) }} as numeric(5, 4)) as score,
                    2 as priority
                from tenant_region_aliases as tenant_aliases
                inner join region_names as regions
                    on regions.region_code = tenant_aliases.region_code
                    and regions.is_primary
                where ({{ when }})
                    and tenant_aliases.tenant_id = {{ tenant_expr }}
                    and tenant_aliases.country_code = {{ country_expr }}
                    and tenant_aliases.alias = {{ text_expr }}
                    and regions.level = {{ level }}
                    {{- _region_within('regions', within_column, within_expr) }}

                union all

                select
                    names.region_code,
                    names.province_code,
                    names.city_code,
                    'alias' as step,
                    cast({{ var('seed_alias_score', 0.95) }} as numeric(5, 4)) as score,
                    3 as priority
                from region_names as names
                where ({{ when }})
                    and names.country_code = {{ country_expr }}
                    and names.level = {{ level }}
                    and names.alias = {{ text_expr }}
                    and not names.is_name
                    {{- _region_within('names', within_column, within_expr) }}
                    and not exists (
                        select 1
                        from tenant_region_aliases as removed
                        where removed.tenant_id = {{ tenant_expr }}
                            and removed.country_code = {{ country_expr }}
                            and removed.alias = {{ text_expr }}
                            and removed.region_code is null
                    )
            ) as matches
            order by matches.priority, matches.region_code
        ) as per_region
    ) as best
    -- an ambiguous step is skipped (a tenant's alias can settle what its exact names leave open)
    where best.region_count = 1
    order by best.priority
    limit 1
)
{%- endmacro %}


{#- fuzzy: the region whose name or seed alias (codes aside, and aliases the tenant removed) is
    most similar to the text (pg_trgm similarity), at least `min_score` (default var
    address_fuzzy_floor); score = that similarity. -#}
{% macro region_fuzzy(
    text_expr, country_expr, tenant_expr, level,
    within_column=none, within_expr=none, when='true', min_score=none
) -%}
{%- set min_score = min_score if min_score is not none else var('address_fuzzy_floor', 0.4) -%}
(
    select
        best.region_code,
        best.province_code,
        best.city_code,
        'fuzzy' as step,
        best.score
    from (
        select
            per_region.*,
            count(*) over (partition by per_region.score) as region_count
        from (
            select
                names.region_code,
                names.province_code,
                names.city_code,
                cast(max(similarity(names.alias, {{ text_expr }})) as numeric(5, 4)) as score
            from region_names as names
            where ({{ when }})
                and names.country_code = {{ country_expr }}
                and names.level = {{ level }}
                and coalesce(names.language, '') <> 'code'
                {{- _region_within('names', within_column, within_expr) }}
                and (
                    names.is_name
                    or not exists (
                        select 1
                        from tenant_region_aliases as removed
                        where removed.tenant_id = {{ tenant_expr }}
                            and removed.country_code = {{ country_expr }}
                            and removed.alias = names.alias
                            and removed.region_code is null
                    )
                )
            group by 1, 2, 3
        ) as per_region
        where per_region.score >= {{ min_score }}
        order by per_region.score desc, per_region.region_code
        limit 1
    ) as best
    where best.region_count = 1
)
{%- endmacro %}


{#- The least score a fuzzy match at `level` must reach. At a level the country does not require
    (a district in Saudi Arabia) a match is a bonus that nothing checks later, so it must be as
    good as the confidence threshold; at a required level the floor is lower: the match is kept,
    and its low score makes the order unresolved, with that region as the best guess. -#}
{% macro address_fuzzy_floor(match_level_expr, level) -%}
    case
        when {{ match_level_expr }} >= {{ level }} then {{ var('address_fuzzy_floor', 0.4) }}
        else {{ var('address_confidence_threshold', 0.8) }}
    end
{%- endmacro %}


{% macro _region_within(alias, within_column, within_expr) -%}
    {%- if within_column is not none %}
                    and ({{ within_expr }} is null or {{ alias }}.{{ within_column }} = {{ within_expr }})
    {%- endif %}
{%- endmacro %}
