select customer_id, name, '{{ model.name }}' as model_name, '{{ model.unique_id }}' as model_id, '{{ this.identifier }}' as relation
from {{ ref('stg_customers') }}
