-- Every landed version of every Amazon SP-API (Orders v0) order, typed. One row per raw row of a
-- committed batch; no window and no aggregate (see stg_shopify__order_versions, also for why the
-- payload is read once with jsonb_to_record).

with

source as (

    {% call committed_raw_versions(source('raw', 'amazon_orders'), 'orders') -%}
        "SellerOrderId" text,
        "MarketplaceId" text,
        "OrderStatus" text,
        "FulfillmentChannel" text,
        "PaymentMethod" text,
        "PaymentMethodDetails" jsonb,
        "OrderTotal" jsonb,
        "ShippingAddress" jsonb,
        "BuyerInfo" jsonb,
        "NumberOfItemsShipped" text,
        "NumberOfItemsUnshipped" text,
        "IsPrime" text,
        "IsBusinessOrder" text,
        "PurchaseDate" text,
        "LastUpdateDate" text,
        "EarliestShipDate" text,
        "LatestShipDate" text,
        "LatestDeliveryDate" text
    {%- endcall %}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('amazon' as text) as channel,
        natural_key as platform_order_id,
        {{ clean_text('"SellerOrderId"') }} as seller_order_id,
        {{ clean_text('"MarketplaceId"') }} as marketplace_id,

        -- statuses
        {{ clean_text('"OrderStatus"') }} as platform_status,
        {{ clean_text('"FulfillmentChannel"') }} as fulfillment_channel,

        -- payment
        {{ clean_text('"PaymentMethod"') }} as payment_method,
        array(
            select details.detail
            from jsonb_array_elements_text({{ json_array('"PaymentMethodDetails"') }}) as details (detail)
        ) as payment_method_details,

        -- buyer (PII needs a Restricted Data Token: often absent or partial)
        coalesce(
            {{ clean_text('"ShippingAddress" ->> \'Name\'') }},
            {{ clean_text('"BuyerInfo" ->> \'BuyerName\'') }}
        ) as buyer_name,
        {{ clean_text('"ShippingAddress" ->> \'Phone\'') }} as buyer_phone_raw,
        {{ clean_text('"BuyerInfo" ->> \'BuyerEmail\'') }} as buyer_email,

        -- ship-to address, raw text as sent (only present once the order is Unshipped or later)
        upper({{ clean_text('"ShippingAddress" ->> \'CountryCode\'') }}) as ship_country,
        {{ clean_text('"ShippingAddress" ->> \'StateOrRegion\'') }} as ship_province,
        {{ clean_text('"ShippingAddress" ->> \'City\'') }} as ship_city,
        coalesce(
            {{ clean_text('"ShippingAddress" ->> \'District\'') }},
            {{ clean_text('"ShippingAddress" ->> \'County\'') }}
        ) as ship_district,
        {{ clean_text('"ShippingAddress" ->> \'PostalCode\'') }} as ship_postal_code,
        {{ clean_text("concat_ws(', ', "
            ~ clean_text('"ShippingAddress" ->> \'AddressLine1\'') ~ ", "
            ~ clean_text('"ShippingAddress" ->> \'AddressLine2\'') ~ ", "
            ~ clean_text('"ShippingAddress" ->> \'AddressLine3\'') ~ ")") }} as address_lines,

        -- money: OrderTotal is a Money {CurrencyCode, Amount (a string)}; absent while Pending
        upper({{ clean_text('"OrderTotal" ->> \'CurrencyCode\'') }}) as currency,
        {{ to_money('"OrderTotal" ->> \'Amount\'') }} as total_amount,

        -- numerics
        {{ to_int('"NumberOfItemsShipped"') }} as items_shipped_count,
        {{ to_int('"NumberOfItemsUnshipped"') }} as items_unshipped_count,

        -- booleans
        {{ to_bool('"IsPrime"') }} as is_prime,
        {{ to_bool('"IsBusinessOrder"') }} as is_business_order,

        -- timestamps (UTC; `Z` with or without milliseconds)
        {{ iso_to_utc('"PurchaseDate"') }} as purchased_at,
        {{ iso_to_utc('"LastUpdateDate"') }} as last_updated_at,
        {{ iso_to_utc('"EarliestShipDate"') }} as earliest_ship_at,
        {{ iso_to_utc('"LatestShipDate"') }} as latest_ship_at,
        {{ iso_to_utc('"LatestDeliveryDate"') }} as latest_delivery_at,

        -- version lineage
        {{ version_lineage_columns() }}

    from source

)

select * from renamed
