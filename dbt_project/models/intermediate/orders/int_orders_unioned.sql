-- Orders of every channel in one shape: the latest version of each order, its line totals, the
-- payment method, and the version that decisions carry.
--
-- Per-order line figures are joined from a grouped subquery on the order keys: a filter on an
-- order's keys (the marts' increment looks orders up one by one) reaches every raw index
-- underneath, and a full build stays set-based. The line model is read directly in each channel's
-- branch rather than through an import CTE, because Postgres materialises a CTE read twice.

with

shopify_orders as (

    select
        {{ order_key_columns('orders') }},
        cast(coalesce(orders.platform_order_name, orders.platform_order_id) as text) as platform_order_name,
        cast(orders.platform_status as text) as platform_status,
        -- COD: a payment gateway named "Cash on Delivery (COD)" or with COD as a word in it
        -- (merchants can rename this manual payment method)
        cast(
            case
                when exists (
                    select 1
                    from unnest(array_append(orders.payment_gateway_names, orders.payment_gateway))
                        as gateways (gateway_name)
                    where gateways.gateway_name ~* '(cash[[:space:]]*on[[:space:]]*delivery|\mcod\M)'
                ) then 'cod'
                else 'prepaid'
            end
            as text
        ) as payment_method,
        cast(orders.currency as text) as currency,
        cast(coalesce(lines.items_amount, 0) as numeric(18, 4)) as items_amount,
        cast(orders.shipping_amount as numeric(18, 4)) as shipping_amount,
        cast(orders.discount_amount as numeric(18, 4)) as discount_amount,
        cast(orders.tax_amount as numeric(18, 4)) as tax_amount,
        cast(orders.total_amount as numeric(18, 4)) as total_amount,
        {{ buyer_and_ship_to_columns('orders') }},
        cast(coalesce(lines.line_count, 0) as integer) as line_count,
        cast(coalesce(lines.unit_count, 0) as integer) as unit_count,
        cast(orders.tracking_numbers as text []) as tracking_numbers,
        -- the carrier as the platform names it (the latest fulfillment's tracking_company)
        cast(orders.shipping_carrier as text) as platform_carrier_name,
        cast(orders.created_at as timestamptz) as ordered_at,
        cast(orders.updated_at as timestamptz) as platform_updated_at,
        {{ order_version_columns() }}
    from {{ ref('stg_shopify__orders') }} as orders
    {% call join_order_line_totals(ref('int_order_lines_unioned'), 'shopify') -%}
        sum(order_lines.line_amount) as items_amount,
    {%- endcall %}

),

amazon_orders as (

    select
        {{ order_key_columns('orders') }},
        cast(orders.platform_order_id as text) as platform_order_name,
        cast(orders.platform_status as text) as platform_status,
        cast(
            case
                when orders.payment_method = 'COD'
                    or orders.payment_method_details && array['COD', 'CashOnDelivery'] then 'cod'
                else 'prepaid'
            end
            as text
        ) as payment_method,
        cast(coalesce(orders.currency, lines.currency) as text) as currency,
        -- the amounts come from the items; until they have landed they are unknown (null)
        cast(lines.items_amount as numeric(18, 4)) as items_amount,
        cast(lines.shipping_amount as numeric(18, 4)) as shipping_amount,
        cast(lines.discount_amount as numeric(18, 4)) as discount_amount,
        cast(lines.tax_amount as numeric(18, 4)) as tax_amount,
        cast(orders.total_amount as numeric(18, 4)) as total_amount,
        {{ buyer_and_ship_to_columns('orders') }},
        cast(coalesce(lines.line_count, 0) as integer) as line_count,
        cast(coalesce(lines.unit_count, 0) as integer) as unit_count,
        -- the Orders API carries no tracking numbers
        cast(array[] as text []) as tracking_numbers,
        -- nor a carrier (FBA ships itself; a merchant's carrier arrives with tracking, later)
        cast(null as text) as platform_carrier_name,
        cast(orders.purchased_at as timestamptz) as ordered_at,
        cast(orders.last_updated_at as timestamptz) as platform_updated_at,
        {{ order_version_columns() }}
    from {{ ref('stg_amazon__orders') }} as orders
    {% call join_order_line_totals(ref('int_order_lines_unioned'), 'amazon') -%}
        min(order_lines.currency) as currency,
        -- an item without ItemPrice (a Pending order's) has no pricing at all: unknown, not 0;
        -- on a priced item an absent charge, discount or tax is zero
        sum(order_lines.line_amount) as items_amount,
        sum(
            case when order_lines.line_amount is not null
                then coalesce(order_lines.shipping_amount, 0) end
        ) as shipping_amount,
        sum(
            case when order_lines.line_amount is not null
                then coalesce(order_lines.discount_amount, 0)
                    + coalesce(order_lines.shipping_discount_amount, 0) end
        ) as discount_amount,
        sum(
            case when order_lines.line_amount is not null
                then coalesce(order_lines.tax_amount, 0) + coalesce(order_lines.shipping_tax_amount, 0) end
        ) as tax_amount,
    {%- endcall %}

),

{#- The channels whose staging has the common order shape (macros/channels.sql): one branch
    each, written once. A time the channel sent without an offset (WooCommerce's local times
    without their _gmt twin, a manual order entered in local time) is read in the store's zone;
    a country sent as a name (Lazada: "Malaysia") is turned into its code by the seed
    country_names. Lazada's order status is derived from its items' statuses once they have
    landed (lazada_order_status), else from the order's own statuses[]. -#}
{%- for channel, status_from_lines in common_shape_channels() %}

{{ channel }}_orders as (

    select
        {{ order_key_columns('orders') }},
        cast(orders.platform_order_name as text) as platform_order_name,
        {%- if status_from_lines %}
        cast(coalesce(
            {{ lazada_order_status('lines.line_statuses') }},
            orders.platform_status
        ) as text) as platform_status,
        {%- else %}
        cast(orders.platform_status as text) as platform_status,
        {%- endif %}
        cast(case when orders.is_cod then 'cod' else 'prepaid' end as text) as payment_method,
        cast(coalesce(orders.currency, lines.currency) as text) as currency,
        cast(lines.items_amount as numeric(18, 4)) as items_amount,
        cast(orders.shipping_amount as numeric(18, 4)) as shipping_amount,
        cast(orders.discount_amount as numeric(18, 4)) as discount_amount,
        cast(orders.tax_amount as numeric(18, 4)) as tax_amount,
        cast(orders.total_amount as numeric(18, 4)) as total_amount,
        cast(orders.buyer_name as text) as buyer_name,
        cast(orders.buyer_phone_raw as text) as buyer_phone_raw,
        cast(orders.buyer_email as text) as buyer_email,
        cast(coalesce(
            case when orders.ship_country ~ '^[A-Z]{2}$' then orders.ship_country end,
            country_names.country_code,
            orders.ship_country
        ) as text) as ship_country,
        cast(orders.ship_province as text) as ship_province,
        cast(orders.ship_city as text) as ship_city,
        cast(orders.ship_district as text) as ship_district,
        cast(orders.ship_postal_code as text) as ship_postal_code,
        cast(orders.address_lines as text) as address_lines,
        cast(coalesce(lines.line_count, 0) as integer) as line_count,
        cast(coalesce(lines.unit_count, 0) as integer) as unit_count,
        cast(orders.tracking_numbers as text []) as tracking_numbers,
        -- the carrier as the platform names it: the order's, else its items' (Lazada names the
        -- shipment provider per item; the first in name order when they differ)
        cast(coalesce(orders.shipping_carrier, lines.shipping_carrier) as text) as platform_carrier_name,
        cast(coalesce(
            orders.ordered_at,
            {{ in_zone('orders.ordered_at_local', "coalesce(stores.timezone, 'UTC')") }}
        ) as timestamptz) as ordered_at,
        cast(coalesce(
            orders.updated_at,
            {{ in_zone('orders.updated_at_local', "coalesce(stores.timezone, 'UTC')") }}
        ) as timestamptz) as platform_updated_at,
        {{ order_version_columns() }}
    from {{ ref('stg_' ~ channel ~ '__orders') }} as orders
    left join {{ ref('stg_app__stores') }} as stores
        on stores.tenant_id = orders.tenant_id
        and stores.store_id = orders.store_id
    left join {{ ref('country_names') }} as country_names
        on country_names.country_name = lower(btrim(orders.ship_country_name))
    {% call join_order_line_totals(ref('int_order_lines_unioned'), channel) -%}
        min(order_lines.currency) as currency,
        sum(order_lines.line_amount) as items_amount,
        array_agg(order_lines.line_status order by order_lines.platform_line_id) as line_statuses,
        min(order_lines.shipping_carrier) as shipping_carrier,
    {%- endcall %}

),
{%- endfor %}

unioned as (

    select * from shopify_orders
    union all
    select * from amazon_orders
    {%- for channel, _ in common_shape_channels() %}
    union all
    select * from {{ channel }}_orders
    {%- endfor %}

),

final as (

    select
        {{ surrogate_key(['tenant_id', 'channel', 'store_id', 'platform_order_id']) }} as order_key,
        unioned.*
    from unioned

)

select * from final
