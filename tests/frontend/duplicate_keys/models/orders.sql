select 1 as id, '{{ var("region") }}' as region, '{{ var("from_cli") }}' as from_cli
