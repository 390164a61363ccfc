select
    payment_id,
    method,
    {{ util_pkg.cents_to_units('amount_cents') }} as amount,
    {{ util_pkg.price('amount_cents') }} as price,
    {{ util_pkg.greeting() }} as greeting,
    {{ packages_fixture.default__greeting() }} as project_greeting
from {{ ref('payments') }}
