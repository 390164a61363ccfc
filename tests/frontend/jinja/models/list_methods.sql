{#- Python's list.index and list.count on any list, not only those a set
    tag made (dbt_expectations' expect_column_to_exist uses index). -#}
{%- set upper_names = ["id", "name", "id"] | map("upper") | list -%}
select
    {{ upper_names.index("NAME") }} as name_position,
    {{ upper_names.count("ID") }} as id_count
