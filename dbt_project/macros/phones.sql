{#- A buyer phone in E.164, from the free text the channels send, or null.

    1. A masked value (any `*`, e.g. Shopee's "******64") is null: is_pii_masked says why.
    2. Arabic-Indic and Persian digits become ASCII; spaces, dashes, dots, slashes and
       parentheses are removed.
    3. `+` followed by digits is kept; a trunk 0 written after the country code
       (`+966 050...`) is dropped for a country that uses a trunk 0.
    4. `00` + digits is international: `00` becomes `+`.
    5. A national number with the country's trunk prefix (`050...` in Saudi Arabia) gets the ship
       country's calling code in place of the prefix.
    6. In a country without a trunk prefix (Singapore, Kuwait, Qatar, Bahrain, Oman), a number of
       the country's national length (8 digits, not starting with 0) gets the calling code.
    7. Digits that already start with the ship country's calling code and are long enough to hold
       a subscriber number (code + at least 8 digits, e.g. Salla's "966501234567") get a `+`.
    Anything else (letters, extensions, a local number of an unknown country) is null: the raw
    value is kept beside it, and no number is guessed.

    The country arguments are expressions from the seed country_calling_codes for the ship
    country: calling_code (text, null when the country is unknown), trunk_prefix (text or null)
    and national_number_length (integer or null). -#}
{% macro phone_e164(phone, calling_code, trunk_prefix, national_number_length) -%}
    {%- set digits -%}
        regexp_replace(
            translate({{ phone }}, '٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹', '01234567890123456789'),
            '[[:space:]()./-]', '', 'g'
        )
    {%- endset -%}
    case
        when {{ phone }} is null or {{ phone }} like '%*%' then null
        when {{ trunk_prefix }} is not null
            and {{ digits }} ~ ('^\+' || {{ calling_code }} || {{ trunk_prefix }} || '[0-9]+$')
            then '+' || {{ calling_code }}
                || substr({{ digits }}, length({{ calling_code }}) + length({{ trunk_prefix }}) + 2)
        when {{ digits }} ~ '^\+[0-9]+$' then {{ digits }}
        when {{ digits }} ~ '^00[0-9]+$' then '+' || substr({{ digits }}, 3)
        when {{ trunk_prefix }} is not null and {{ digits }} ~ ('^' || {{ trunk_prefix }} || '[0-9]+$')
            then '+' || {{ calling_code }} || substr({{ digits }}, length({{ trunk_prefix }}) + 1)
        when {{ national_number_length }} is not null
            and {{ digits }} ~ '^[1-9][0-9]+$'
            and length({{ digits }}) = {{ national_number_length }}
            then '+' || {{ calling_code }} || {{ digits }}
        when {{ calling_code }} is not null
            and {{ digits }} ~ ('^' || {{ calling_code }} || '[0-9]{8,}$')
            then '+' || {{ digits }}
    end
{%- endmacro %}


{#- E.164: a `+`, a non-zero first digit, 8 to 15 digits in all. -#}
{% macro is_valid_e164(e164) -%}
    coalesce({{ e164 }} ~ '^\+[1-9][0-9]{7,14}$', false)
{%- endmacro %}
