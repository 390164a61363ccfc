-- product: {{ modules.itertools.product([1, 2], ['a', 'b']) | list }} {{ modules.itertools.product('ab', repeat=2) | list | length }}
-- chain: {{ modules.itertools.chain([1, 2], [3], 'ab') | list }}
-- combinations: {{ modules.itertools.combinations([1, 2, 3], 2) | list }} {{ modules.itertools.combinations_with_replacement('ab', 2) | list }}
-- permutations: {{ modules.itertools.permutations('abc', 2) | list | length }} {{ modules.itertools.permutations([1, 2]) | list }}
-- zip_longest: {{ modules.itertools.zip_longest([1, 2, 3], ['a'], fillvalue='-') | list }}
-- islice: {{ modules.itertools.islice(range(10), 2, 8, 3) | list }}
{% for letter, number in modules.itertools.product(['x', 'y'], [1, 2]) -%}
select '{{ letter }}' as letter, {{ number }} as number{% if not loop.last %} union all{% endif %}
{% endfor %}
