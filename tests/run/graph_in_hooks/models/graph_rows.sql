{{ config(materialized='table', post_hook="{{ insert_graph_rows(this) }}") }}
select
    cast(null as varchar) as unique_id,
    cast(null as varchar) as resource_type,
    cast(null as varchar) as parents,
    cast(null as varchar) as test_name,
    cast(null as varchar) as test_kwargs,
    cast(null as varchar) as column_name,
    cast(null as varchar) as attached_node,
    cast(null as varchar) as columns,
    cast(null as varchar) as meta,
    cast(null as boolean) as contract_enforced,
    cast(null as varchar) as access,
    cast(null as varchar) as alias,
    cast(null as integer) as raw_code_lines,
    cast(null as varchar) as time_spine_column
where false
