{%- set re = modules.re -%}
-- look-behind: {{ re.findall('(?<!not\\s)(ok|fine)\\b', 'ok, not ok, fine, not fine') }}
-- look-ahead: {{ re.findall('(\\w+)(?=\\()', 'sum(x) + coalesce(y, 0)') }} {{ re.sub('\\d(?!\\d)', '#', 'a12 b3') }}
-- inline flags and verbose: {{ re.findall('(?ix)
    (from|join)\\s+   # a keyword and spaces
    ([\\w.]+)         # the table
    (?=\\s|$)', 'select 1 FROM raw.orders join x.y') }}
-- backreference: {{ re.findall('(\\w)\\1', 'aabbcd') }} {{ re.search('(?P<q>[\'"]).*?(?P=q)', 'say "hi" now').group() }}
-- empty matches: {{ re.sub('x*', '-', 'abxd') }} {{ re.findall('\\b', 'a b') | length }} {{ re.split('x*', 'axbc') }}
-- match and search: {{ re.match('(?<=a)b', 'ab') is none }} {{ re.search('(?<=a)b', 'ab').span() }}
-- count: {{ re.sub('(?<=,)\\s*', '', 'a, b,  c', 1) }}
select 1 as one
