-- Orders of both channels in one shape: the latest version of each order, its line totals, the
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
        cast(orders.created_at as timestamptz) as ordered_at,
        cast(orders.updated_at as timestamptz) as platform_updated_at,
        cast(orders._landed_at as timestamptz) as landed_at,
        cast(orders._batch_id as bigint) as batch_id,
        cast(md5(orders._payload_sha256 || '|' || coalesce(lines.item_payload_hashes, '')) as text) as version
    from {{ ref('stg_shopify__orders') }} as orders
    left join (
        select
            order_lines.tenant_id,
            order_lines.store_id,
            order_lines.platform_order_id,
            count(*) as line_count,
            sum(order_lines.quantity) as unit_count,
            sum(order_lines.line_amount) as items_amount,
            string_agg(order_lines._item_payload_sha256, ',' order by order_lines.platform_line_id)
                as item_payload_hashes
        from {{ ref('int_order_lines_unioned') }} as order_lines
        where order_lines.channel = 'shopify'
        group by 1, 2, 3
    ) as lines
        on lines.tenant_id = orders.tenant_id
        and lines.store_id = orders.store_id
        and lines.platform_order_id = orders.platform_order_id

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
        cast(orders.purchased_at as timestamptz) as ordered_at,
        cast(orders.last_updated_at as timestamptz) as platform_updated_at,
        cast(orders._landed_at as timestamptz) as landed_at,
        cast(orders._batch_id as bigint) as batch_id,
        cast(md5(orders._payload_sha256 || '|' || coalesce(lines.item_payload_hashes, '')) as text) as version
    from {{ ref('stg_amazon__orders') }} as orders
    left join (
        select
            order_lines.tenant_id,
            order_lines.store_id,
            order_lines.platform_order_id,
            count(*) as line_count,
            sum(order_lines.quantity) as unit_count,
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
            string_agg(order_lines._item_payload_sha256, ',' order by order_lines.platform_line_id)
                as item_payload_hashes
        from {{ ref('int_order_lines_unioned') }} as order_lines
        where order_lines.channel = 'amazon'
        group by 1, 2, 3
    ) as lines
        on lines.tenant_id = orders.tenant_id
        and lines.store_id = orders.store_id
        and lines.platform_order_id = orders.platform_order_id

),

unioned as (

    select * from shopify_orders
    union all
    select * from amazon_orders

),

final as (

    select
        {{ surrogate_key(['tenant_id', 'channel', 'store_id', 'platform_order_id']) }} as order_key,
        unioned.*
    from unioned

)

select * from final
