{{ config(materialized='ephemeral') }}
select '{{ var("shop_region") }}' as region, '{{ model.config.materialized }}' as built_as
