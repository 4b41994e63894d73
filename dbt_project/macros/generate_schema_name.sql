{#- Custom schemas are used as given (`staging`, `marts`, ...), not prefixed with the target's
    schema: the app and the role grants name them exactly. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
