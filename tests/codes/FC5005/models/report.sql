select amout from {{ ref('orders') }}
