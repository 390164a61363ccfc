{{ config(schema='reporting') }}
select {{ should_store_failures() }} as stores_failures, '{{ this.schema }}' as own_schema
