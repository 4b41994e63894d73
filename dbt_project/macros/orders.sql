{#- The buyer and ship-to columns of an order, cast to text, as each channel's branch of
    int_orders_unioned selects them: staging already gives every channel these columns under
    these names (raw text as sent; phones are normalised later). No trailing comma. -#}
{% macro buyer_and_ship_to_columns(alias) -%}
    cast({{ alias }}.buyer_name as text) as buyer_name,
        cast({{ alias }}.buyer_phone_raw as text) as buyer_phone_raw,
        cast({{ alias }}.buyer_email as text) as buyer_email,
        cast({{ alias }}.ship_country as text) as ship_country,
        cast({{ alias }}.ship_province as text) as ship_province,
        cast({{ alias }}.ship_city as text) as ship_city,
        cast({{ alias }}.ship_district as text) as ship_district,
        cast({{ alias }}.ship_postal_code as text) as ship_postal_code,
        cast({{ alias }}.address_lines as text) as address_lines
{%- endmacro %}
