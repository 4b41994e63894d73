{#- Typing helpers for staging. They never raise on a bad value: a value that cannot be read
    becomes null, and the staging checks (Great Expectations) report it, instead of one bad
    payload stopping the whole build. -#}

{#- ISO-8601 text to timestamptz (UTC). Text with an offset or `Z` keeps its instant; text
    without one is read as UTC (no source of this project sends local times without an offset
    yet; the first that does will need its store's zone, see DECISIONLOG.md). -#}
{% macro iso_to_utc(text_expr) -%}
    case
        when not pg_input_is_valid({{ text_expr }}, 'timestamptz') then null
        when {{ text_expr }} ~ '[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?[[:space:]]*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'
            then cast({{ text_expr }} as timestamptz)
        else cast({{ text_expr }} as timestamp) at time zone 'UTC'
    end
{%- endmacro %}


{#- Decimal text (Shopify money strings, Amazon Money.Amount) to numeric(18,4). -#}
{% macro to_money(text_expr) -%}
    case
        when pg_input_is_valid({{ text_expr }}, 'numeric(18,4)')
            then cast({{ text_expr }} as numeric(18, 4))
    end
{%- endmacro %}


{#- Text to integer, null when not an integer. -#}
{% macro to_int(text_expr) -%}
    case when pg_input_is_valid({{ text_expr }}, 'integer') then cast({{ text_expr }} as integer) end
{%- endmacro %}


{#- JSON booleans that arrive as booleans or as the strings "true"/"false" (Amazon IsGift). -#}
{% macro to_bool(text_expr) -%}
    case lower({{ text_expr }}) when 'true' then true when 'false' then false end
{%- endmacro %}


{#- A JSON value that should be an array; anything else (null, object, string) reads as []. -#}
{% macro json_array(json_expr) -%}
    case when jsonb_typeof({{ json_expr }}) = 'array' then {{ json_expr }} else '[]'::jsonb end
{%- endmacro %}


{#- Trimmed text, null when empty. -#}
{% macro clean_text(text_expr) -%}
    nullif(btrim({{ text_expr }}), '')
{%- endmacro %}


{#- The first `max_chars` characters of bytes read as UTF-8, each invalid byte replaced by U+FFFD
    (Postgres' convert_from raises on invalid bytes instead). The bytes are tokenised into valid
    UTF-8 sequences (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF) or single
    bytes; single bytes that are not ASCII (and NUL, which text cannot hold) become EF BF BD. -#}
{% macro utf8_excerpt(bytes_expr, max_chars=500) -%}
    {%- set valid_sequence -%}
        0[1-9a-f]|[1-7][0-9a-f]|(?:c[2-9a-f]|d[0-9a-f])[89ab][0-9a-f]|e0[ab][0-9a-f][89ab][0-9a-f]|(?:e[1-9a-c]|e[ef])(?:[89ab][0-9a-f]){2}|ed[89][0-9a-f][89ab][0-9a-f]|f0[9ab][0-9a-f](?:[89ab][0-9a-f]){2}|f[1-3](?:[89ab][0-9a-f]){3}|f48[0-9a-f](?:[89ab][0-9a-f]){2}
    {%- endset -%}
    left(
        convert_from(
            decode(
                replace(
                    regexp_replace(
                        ',' || regexp_replace(
                            encode(substring({{ bytes_expr }} from 1 for {{ max_chars * 4 }}), 'hex'),
                            '({{ valid_sequence }})|([0-9a-f]{2})', '\1\2,', 'g'
                        ),
                        ',(?:[89a-f][0-9a-f]|00)(?=,)', ',efbfbd', 'g'
                    ),
                    ',', ''
                ),
                'hex'
            ),
            'UTF8'
        ),
        {{ max_chars }}
    )
{%- endmacro %}


{#- Unix seconds (Shopee, TikTok: a JSON number or a digit string) to timestamptz (UTC); 0 and
    anything that is not a whole number read as null (Shopee sends 0 for "not yet"). -#}
{% macro unix_to_utc(text_expr) -%}
    case
        when {{ text_expr }} ~ '^[0-9]{1,12}$' and cast({{ text_expr }} as bigint) > 0
            then to_timestamp(cast({{ text_expr }} as bigint))
    end
{%- endmacro %}


{#- A time WITHOUT an offset (WooCommerce `date_created`, Salla's date objects, manual orders'
    naive times) as a plain timestamp, to be read in a zone by the caller; null when the text
    carries an offset or is not a time. -#}
{% macro naive_timestamp(text_expr) -%}
    case
        when {{ text_expr }} ~ '[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?[[:space:]]*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'
            then null
        when pg_input_is_valid({{ text_expr }}, 'timestamp') then cast({{ text_expr }} as timestamp)
    end
{%- endmacro %}


{#- A time that carries its offset, else null (the counterpart of naive_timestamp). -#}
{% macro offset_to_utc(text_expr) -%}
    case
        when {{ text_expr }} ~ '[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?[[:space:]]*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'
            and pg_input_is_valid({{ text_expr }}, 'timestamptz')
            then cast({{ text_expr }} as timestamptz)
    end
{%- endmacro %}


{#- A naive timestamp read in a named IANA zone; null when the zone is unknown (an unknown zone
    would raise). -#}
{% macro in_zone(timestamp_expr, zone_expr) -%}
    case
        when ({{ zone_expr }}) in (select zones.name from pg_timezone_names as zones)
            then ({{ timestamp_expr }}) at time zone ({{ zone_expr }})
    end
{%- endmacro %}
