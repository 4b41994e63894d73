{#- Channel readings shared by staging and intermediate (DECISIONLOG.md, "Every channel"). -#}

{#- The channels whose staging has the common order shape (stg_<channel>__orders,
    stg_<channel>__order_versions, stg_<channel>__order_lines with the same columns), in the order
    the unions list them. Shopify and Amazon keep their own branches (issue 2). Each entry:
    (channel, the order's status comes from its lines' statuses). -#}
{% macro common_shape_channels() -%}
    {{ return([
        ('shopee', false),
        ('lazada', true),
        ('tiktok', false),
        ('woocommerce', false),
        ('salla', false),
        ('manual', false),
    ]) }}
{%- endmacro %}


{#- Lazada keeps a status per item; an order's status is derived from its items' statuses
    (`statuses_expr`: a text[] of them):
    1. a status Lazada's list does not hold (or that this project does not know) wins, so the order
       is an exception (unmapped status) rather than a guess;
    2. otherwise the least advanced status of the items still alive (unpaid < pending < topack <
       packed < toship < ready_to_ship < shipped < delivered): the order is as far as its slowest
       live item (one item shipped, one packed: packed);
    3. when no item is alive: failed, then returned, then canceled (all items cancelled:
       canceled; one returned and one cancelled: returned).
    Null when there are no statuses. -#}
{% macro lazada_order_status(statuses_expr) -%}
    {%- set ranked = "array['unpaid', 'pending', 'topack', 'packed', 'toship', 'ready_to_ship', 'shipped', 'delivered', 'failed', 'returned', 'canceled']" -%}
    (
        select coalesce(
            min(item_statuses.item_status) filter (
                where array_position({{ ranked }}, item_statuses.item_status) is null
            ),
            ({{ ranked }})[min(array_position({{ ranked }}, item_statuses.item_status))]
        )
        from unnest({{ statuses_expr }}) as item_statuses (item_status)
        where item_statuses.item_status is not null
    )
{%- endmacro %}


{#- Money that arrives as a JSON number or a decimal string, in an object of the form
    {amount, currency} (Salla) or bare; see to_money. -#}
{% macro amount_of(json_expr) -%}
    {{ to_money("coalesce(" ~ json_expr ~ " ->> 'amount', " ~ json_expr ~ " #>> '{}')") }}
{%- endmacro %}


{#- A Salla time: a PHP date object {date: "2024-05-01 10:00:00.000000", timezone_type, timezone:
    "Asia/Riyadh"} read in its own zone; or text: ISO with an offset, or the JavaScript form of the
    webhook envelope ("Wed Jun 30 2021 12:16:25 GMT+0300"). Null otherwise (a naive text time is
    returned by salla_naive_time for the store's zone). -#}
{% macro salla_time(json_expr) -%}
    case
        when jsonb_typeof({{ json_expr }}) = 'object'
            then {{ in_zone(naive_timestamp(json_expr ~ " ->> 'date'"), json_expr ~ " ->> 'timezone'") }}
        when ({{ json_expr }} #>> '{}') ~ '^[A-Za-z]{3} [A-Za-z]{3} [0-9]{1,2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT[+-][0-9]{4}'
            then cast(
                regexp_replace(
                    {{ json_expr }} #>> '{}',
                    '^[A-Za-z]{3} ([A-Za-z]{3} [0-9]{1,2} [0-9]{4} [0-9:]{8}) GMT([+-][0-9]{4}).*$',
                    '\1 \2'
                )
                as timestamptz
            )
        else {{ offset_to_utc(json_expr ~ " #>> '{}'") }}
    end
{%- endmacro %}


{#- A Salla time given as text without an offset (or a date object whose zone is unknown), as a
    naive timestamp for the store's zone. -#}
{% macro salla_naive_time(json_expr) -%}
    case
        when jsonb_typeof({{ json_expr }}) = 'object' then {{ naive_timestamp(json_expr ~ " ->> 'date'") }}
        else {{ naive_timestamp(json_expr ~ " #>> '{}'") }}
    end
{%- endmacro %}
