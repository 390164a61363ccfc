{%- set unique = set([1, 2, 2, 3, 1]) -%}
-- set: {{ unique }} {{ unique | length }} {{ 2 in unique }} {{ set(none) is none }} {{ set(5, default='fallback') }} {{ set([]) }}
-- set methods: {% do unique.add(7) %}{{ unique | list }} {{ unique.issubset([1, 2, 3, 7, 9]) }} {{ unique.union([8]) | list }} {{ set_strict('aba') | length }}
-- zip: {{ zip([1, 2], ['a', 'b']) | list }} {{ zip(1, 2) is none }} {{ zip_strict([1], ['x']) | list }}
-- tojson: {{ tojson({'b': [1, 2.5, none, true], 'a': 'é'}) }} {{ tojson({'b': 1, 'a': 2}, sort_keys=true) }}
-- fromjson: {{ fromjson('{"k": [1, 2]}')['k'][1] }} {{ fromjson('not json', 'fallback') }}
-- toyaml: {{ toyaml({'name': 'x', 'tags': ['a', 'yes'], 'nested': {'n': 1}}) | replace('\n', ' | ') }}
-- fromyaml: {{ fromyaml('dogs:\n  - good\n  - bad\n')['dogs'] | join(',') }} {{ fromyaml('[unclosed', 'fallback') }}
-- local_md5: {{ local_md5('hello world') }}
-- diff_of_two_dicts: {{ diff_of_two_dicts({'key_x': ['value_1', 'VALUE_2'], 'KEY_Y': ['value_3']}, {'key_x': ['value_1'], 'key_z': ['value_4']}) }}
-- try_or_compiler_error: {{ try_or_compiler_error('bad json', fromjson, '[1, 2]') }}
-- selected_resources: {{ selected_resources }}
-- builtins: {{ builtins.ref('re_module') }} {{ adapter.type() }}
{% do exceptions.warn('globals.sql is only a fixture') -%}
select 1 as one
