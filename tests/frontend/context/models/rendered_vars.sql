select
    {{ var('threshold') | int + 1 }} as above_threshold,
    {{ var('payment_year') }} as payment_year,
    '{{ var('model_label') }}' as label,
    '{{ var('plain') }}' as plain
