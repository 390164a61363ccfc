select {{ cents_to_dollar('amount') }} as amount from {{ ref('stg_orders') }}
