-- The canonical order: channel status mapped to the canonical status (an unmapped status, an
-- unknown carrier, an unresolved address or a missing FX rate is an exception, never a guess),
-- since when it holds, COD amount, buyer phone in E.164 and buyer key, and the total in the
-- tenant's reporting currency at the order date's rate.

with

orders as (

    select * from {{ ref('int_orders_carrier_mapped') }}

),

tenants as (

    select * from {{ ref('stg_app__tenants') }}

),

stores as (

    select * from {{ ref('stg_app__stores') }}

),

calling_codes as (

    select * from {{ ref('country_calling_codes') }}

),

product_summary as (

    select * from {{ ref('int_order_product_summary') }}

),

catalogue_tenants as (

    select distinct tenant_id from {{ ref('stg_app__products') }}

),

orders_with_products as (

    -- lines whose platform SKU or listing maps to no catalogue SKU (int_order_lines_sku_mapped).
    -- A tenant without a catalogue has not set products up yet: nothing can be mapped, so its
    -- lines stay without a seller SKU and are not exceptions (DECISIONLOG.md)
    select
        orders.*,
        coalesce(product_summary.unmapped_line_count, 0) as unmapped_line_count,
        coalesce(product_summary.unmapped_line_count, 0) > 0
        and catalogue_tenants.tenant_id is not null as is_product_unmapped
    from orders
    left join catalogue_tenants
        on catalogue_tenants.tenant_id = orders.tenant_id
    left join product_summary
        on product_summary.tenant_id = orders.tenant_id
        and product_summary.channel = orders.channel
        and product_summary.store_id = orders.store_id
        and product_summary.platform_order_id = orders.platform_order_id

),

orders_with_status as (

    select
        orders.*,
        -- an exception that stops fulfilment makes the status `exception` whatever the channel
        -- says: an unmapped status (canonical_status) and an unknown carrier alike
        case
            when orders.is_carrier_unknown or orders.is_address_unresolved or orders.is_product_unmapped
                then 'exception'
            else {{ canonical_status('status_map') }}
        end as status,
        {{ status_is_unmapped('status_map') }} as is_status_unmapped,
        {{ status_exception_type('status_map') }} as status_exception_type
    from orders_with_products as orders
    {{ canonical_status_join('orders.tenant_id', 'orders.channel', 'orders.platform_status', 'status_map') }}

),

status_since as (

    -- the current status was first seen at the last change of canonical status (A -> B -> A:
    -- the second A); the latest version always carries the current status
    select
        tenant_id,
        channel,
        store_id,
        platform_order_id,
        (array_agg(changed_at order by version_number desc) filter (where is_status_change))[1]
            as status_changed_at
    from {{ ref('int_order_status_transitions') }}
    group by 1, 2, 3, 4

),

orders_with_status_since as (

    select
        orders_with_status.*,
        status_since.status_changed_at
    from orders_with_status
    left join status_since
        on status_since.tenant_id = orders_with_status.tenant_id
        and status_since.channel = orders_with_status.channel
        and status_since.store_id = orders_with_status.store_id
        and status_since.platform_order_id = orders_with_status.platform_order_id

),

orders_with_buyer as (

    select
        orders_with_status_since.*,
        {{ phone_e164(
            'orders_with_status_since.buyer_phone_raw',
            'calling_codes.calling_code',
            "nullif(calling_codes.trunk_prefix, '')",
            'calling_codes.national_number_length',
        ) }} as buyer_phone_e164,
        coalesce(
            orders_with_status_since.buyer_phone_raw like '%*%'
            or orders_with_status_since.buyer_name like '%*%',
            false
        ) as is_pii_masked
    from orders_with_status_since
    left join calling_codes
        on calling_codes.country_code = orders_with_status_since.ship_country

),

orders_with_reporting_currency as (

    select
        orders_with_buyer.*,
        -- an order without amounts yet (Amazon Pending) still shows its store's currency
        coalesce(orders_with_buyer.currency, stores.currency) as order_currency,
        coalesce(tenants.reporting_currency, 'USD') as reporting_currency,
        cast(orders_with_buyer.ordered_at at time zone 'UTC' as date) as fx_date
    from orders_with_buyer
    left join tenants
        on tenants.tenant_id = orders_with_buyer.tenant_id
    left join stores
        on stores.tenant_id = orders_with_buyer.tenant_id
        and stores.store_id = orders_with_buyer.store_id

),

orders_converted as (

    select
        orders_with_reporting_currency.*,
        case
            when orders_with_reporting_currency.order_currency = orders_with_reporting_currency.reporting_currency
                then orders_with_reporting_currency.total_amount
            else round(
                orders_with_reporting_currency.total_amount
                * order_rate.rate_to_usd / reporting_rate.rate_to_usd,
                4
            )
        end as total_amount_reporting,
        orders_with_reporting_currency.total_amount is not null
        and orders_with_reporting_currency.order_currency
            is distinct from orders_with_reporting_currency.reporting_currency
        and (order_rate.rate_to_usd is null or reporting_rate.rate_to_usd is null)
            as is_fx_rate_missing
    from orders_with_reporting_currency
    left join {{ ref('int_fx_rates_ranged') }} as order_rate
        on order_rate.tenant_id = orders_with_reporting_currency.tenant_id
        and order_rate.currency = orders_with_reporting_currency.order_currency
        and order_rate.valid_from <= orders_with_reporting_currency.fx_date
        and (order_rate.valid_to is null or orders_with_reporting_currency.fx_date < order_rate.valid_to)
    left join {{ ref('int_fx_rates_ranged') }} as reporting_rate
        on reporting_rate.tenant_id = orders_with_reporting_currency.tenant_id
        and reporting_rate.currency = orders_with_reporting_currency.reporting_currency
        and reporting_rate.valid_from <= orders_with_reporting_currency.fx_date
        and (reporting_rate.valid_to is null or orders_with_reporting_currency.fx_date < reporting_rate.valid_to)

),

final as (

    select
        order_key,
        tenant_id,
        channel,
        store_id,
        platform_order_id,
        platform_order_name,
        ordered_at,
        platform_updated_at,
        landed_at,
        platform_status,
        -- a missing FX rate holds the order too (DECISIONLOG.md): known only after the conversion
        case when is_fx_rate_missing then 'exception' else status end as status,
        coalesce(status_changed_at, platform_updated_at, landed_at) as status_changed_at,
        payment_method,
        payment_method = 'cod' as is_cod,
        order_currency as currency,
        items_amount,
        shipping_amount,
        discount_amount,
        tax_amount,
        total_amount,
        cast(case when payment_method = 'cod' then total_amount else 0 end as numeric(18, 4)) as cod_amount,
        cast(total_amount_reporting as numeric(18, 4)) as total_amount_reporting,
        reporting_currency,
        buyer_name,
        buyer_phone_raw,
        buyer_phone_e164,
        -- a number the country's numbering plan allows (seed phone_number_plans, from libphonenumber)
        {{ is_valid_phone('buyer_phone_e164') }} as is_phone_valid,
        is_pii_masked,
        -- the same buyer across orders: the valid phone, else the email (lower case)
        case
            when {{ is_valid_e164('buyer_phone_e164') }} then md5(buyer_phone_e164)
            when buyer_email is not null then md5(lower(buyer_email))
        end as buyer_key,
        ship_country,
        ship_province,
        ship_city,
        ship_district,
        ship_region_code,
        ship_province_code,
        ship_city_code,
        ship_district_code,
        ship_postal_code,
        is_postal_code_valid,
        address_lines,
        cast(address_confidence as numeric(5, 4)) as address_confidence,
        address_issue,
        address_match,
        line_count,
        unit_count,
        unmapped_line_count,
        cast(null as numeric(12, 3)) as weight_kg,
        cast(array[] as text []) as tags,
        cast(array[] as text []) as hold_reasons,
        cast(
            array_remove(
                array[
                    case when is_status_unmapped then 'unmapped_status' end,
                    status_exception_type,
                    case when is_carrier_unknown then 'unknown_carrier' end,
                    case when is_product_unmapped then 'unmapped_product' end,
                    case when is_address_unresolved then 'unresolved_address' end,
                    case when is_fx_rate_missing then 'missing_fx_rate' end
                ],
                null
            )
            as text []
        ) as exception_types,
        version,
        tracking_numbers,
        carrier_code,
        platform_carrier_name,
        batch_id
    from orders_converted

)

select * from final
