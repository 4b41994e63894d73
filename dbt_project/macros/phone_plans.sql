{#- Is an E.164 phone number a possible number of a country we know the numbering plan of?

    True when the value is `+` and digits, its calling code is one in the seed phone_number_plans
    (the longest that prefixes the number, so a longer code is never read as a shorter one), and
    the rest, the national significant number, fully matches that plan's national_pattern with one
    of its possible lengths. Where several countries share a calling code (the NANP's 1), any of
    them may match. False when the value is null or the calling code is not in the seed: an
    unknown plan is not evidence of a valid number.

    The seed comes from libphonenumber's metadata (ingestion/reference/phones.py); its
    general_desc pattern is the union of every number type of the country, so this answers "could
    this be a number there", a little more leniently than phonenumbers' is_valid_number for rare
    ranges. -#}
{% macro is_valid_phone(e164_expr) -%}
    (
        coalesce(({{ e164_expr }}) ~ '^\+[1-9][0-9]{1,14}$', false)
        and exists (
            select 1
            from {{ ref('phone_number_plans') }} as plan
            where plan.calling_code = (
                    select longest.calling_code
                    from {{ ref('phone_number_plans') }} as longest
                    where left(({{ e164_expr }}), length(longest.calling_code) + 1) = '+' || longest.calling_code
                    order by length(longest.calling_code) desc
                    limit 1
                )
                and substr(({{ e164_expr }}), length(plan.calling_code) + 2)
                    ~ ('^(?:' || plan.national_pattern || ')$')
                and length(({{ e164_expr }})) - length(plan.calling_code) - 1
                    = any(cast(string_to_array(plan.possible_lengths, '|') as integer[]))
        )
    )
{%- endmacro %}
