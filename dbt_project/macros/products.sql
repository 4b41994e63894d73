{#- Decimals of a currency's minor unit (ISO 4217): 3 for the dinars and rials that have fils or
    baisa (BHD, KWD, OMR, JOD, IQD, LYD, TND), 0 for currencies without a minor unit in use, else 2.
    Amounts shared out between a bundle's components are cut to this precision. -#}
{% macro currency_decimals(currency_expr) -%}
    case
        when upper({{ currency_expr }}) in ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') then 3
        when upper({{ currency_expr }}) in ('CLP', 'ISK', 'JPY', 'KRW', 'PYG', 'UGX', 'VND', 'XAF', 'XOF') then 0
        else 2
    end
{%- endmacro %}


{#- A line's amount shared out between its components by price share, exact to the minor unit:
    every component but the last gets its share cut (toward zero) to the currency's decimals, the
    last gets what is left, so the components add up to the amount exactly and none goes past it.
    Reads the columns of int_order_line_components' components_numbered step: price_share,
    share_total, is_last_component, the line's keys and `currency`. -#}
{% macro allocated_amount(amount) -%}
    case
        when is_last_component
            then {{ amount }} - coalesce(sum(
                case
                    when not is_last_component
                        then trunc({{ amount }} * price_share / share_total, {{ currency_decimals('currency') }})
                end
            ) over line_components, 0)
        else trunc({{ amount }} * price_share / share_total, {{ currency_decimals('currency') }})
    end
{%- endmacro %}
