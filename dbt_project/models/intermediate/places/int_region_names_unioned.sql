{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['country_code', 'level', 'alias']},
            {'columns': ['region_code']},
        ],
    )
}}

-- Every name a region of the seed regions is known by, in the lookup form (normalise_place): its
-- English and local names (is_name, the `exact` step of address matching) and the seed
-- region_aliases (the `alias` step), one row per (region, alias), each with the region's province
-- and city codes and its parent's names, so that one row answers a lookup at any level.
--
-- A table rather than a view: address matching looks names up once per order and level, and the
-- index on (country_code, level, alias) keeps each lookup a probe instead of a scan of the seeds.
-- It is rebuilt from the seeds on every run. A tenant's own aliases (app.region_aliases) are not
-- here: they change between runs and are looked up in their own table.

with

regions as (

    select * from {{ ref('regions') }}

),

region_aliases as (

    select * from {{ ref('region_aliases') }}

),

regions_with_ancestors as (

    select
        cast(regions.region_code as text) as region_code,
        cast(regions.country_code as text) as country_code,
        cast(regions.level as integer) as level,
        cast(nullif(regions.parent_code, '') as text) as parent_code,
        -- the province (level 1) and city (level 2) a region lies in, itself included
        cast(case cast(regions.level as integer)
            when 1 then regions.region_code
            when 2 then regions.parent_code
            when 3 then parents.parent_code
        end as text) as province_code,
        cast(case cast(regions.level as integer)
            when 2 then regions.region_code
            when 3 then regions.parent_code
        end as text) as city_code,
        cast(regions.name_en as text) as name_en,
        cast(nullif(btrim(regions.name_local), '') as text) as name_local,
        cast(parents.name_en as text) as parent_name_en,
        cast(nullif(btrim(parents.name_local), '') as text) as parent_name_local
    from regions
    left join regions as parents
        on parents.region_code = regions.parent_code

),

names as (

    select
        region_code,
        {{ normalise_place('name_en') }} as alias,
        'name_en' as alias_source,
        'en' as language
    from regions_with_ancestors

    union all

    select
        region_code,
        {{ normalise_place('name_local') }} as alias,
        'name_local' as alias_source,
        'local' as language
    from regions_with_ancestors

    union all

    -- seed aliases are stored normalised; normalising again costs nothing in a table and keeps a
    -- hand-edited row from missing its lookups
    select
        cast(region_code as text) as region_code,
        {{ normalise_place('alias') }} as alias,
        'seed_alias' as alias_source,
        cast(language as text) as language
    from region_aliases

),

names_deduplicated as (

    -- a seed alias that repeats a region's own name is that name (the exact step): keep one row
    -- per (region, alias), the English name first, then the local name, then the alias
    select distinct on (region_code, alias)
        region_code,
        alias,
        alias_source,
        language
    from names
    where alias is not null
    order by
        region_code,
        alias,
        case alias_source when 'name_en' then 1 when 'name_local' then 2 else 3 end

),

final as (

    select
        regions_with_ancestors.region_code,
        regions_with_ancestors.country_code,
        regions_with_ancestors.level,
        regions_with_ancestors.parent_code,
        regions_with_ancestors.province_code,
        regions_with_ancestors.city_code,
        regions_with_ancestors.name_en,
        regions_with_ancestors.name_local,
        regions_with_ancestors.parent_name_en,
        regions_with_ancestors.parent_name_local,
        names_deduplicated.alias,
        names_deduplicated.alias_source,
        names_deduplicated.language,
        names_deduplicated.alias_source in ('name_en', 'name_local') as is_name,
        -- one row per region to join a region code to (the English name's)
        names_deduplicated.alias_source = 'name_en' as is_primary
    from names_deduplicated
    inner join regions_with_ancestors
        on regions_with_ancestors.region_code = names_deduplicated.region_code

)

select * from final
