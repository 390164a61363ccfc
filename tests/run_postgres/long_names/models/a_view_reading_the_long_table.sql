select id from {{ ref('a_model_name_of_exactly_sixty_three_characters_in_postgres_xyzw') }}
