select person_id, name, age from {{ ref('people') }}
