{{ config(schema='extra') }}
select '{{ this.schema }}' as schema_name, '{{ this }}' as me
