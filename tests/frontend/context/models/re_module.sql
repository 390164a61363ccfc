{%- set re = modules.re -%}
-- sub: {{ re.sub('[^a-z0-9]+', '_', 'Hello, World 42!' | lower) }}
-- sub groups: {{ re.sub('(\\w+)@(\\w+)', '\\2 at \\g<1>', 'me@host you@there') }}
-- sub named and count: {{ re.sub('(?P<num>\\d+)', '<\\g<num>>', 'a1b22', count=1) }}
-- sub flags: {{ re.sub('abc', 'x', 'ABC abc', flags=re.IGNORECASE) }} {{ re.subn('b', 'B', 'abcb') }}
-- search: {{ re.search('\\d+', 'ab123cd') }} {{ re.search('\\d+', 'ab123cd').group() }} {{ re.search('z', 'abc') is none }}
-- match: {{ re.match('b', 'abc') is none }} {{ re.match('a(b)(c)?', 'abd').groups() }} {{ re.match('a(b)(c)?', 'abd').groups('-') }} {{ re.match('a(b)', 'abd').group(0, 1) }}
-- fullmatch: {{ re.fullmatch('a.c', 'abc') is not none }} {{ re.fullmatch('a.', 'abc') is none }}
-- positions: {{ re.search('é(\\w)', 'caféx').start() }} {{ re.search('é(\\w)', 'caféx').end(1) }} {{ re.search('é(\\w)', 'caféx').span() }}
-- findall: {{ re.findall('\\d+', 'a1b22c333') }} {{ re.findall('(\\w)=(\\d)', 'a=1, b=2') }}
-- split: {{ re.split('[,;]\\s*', 'a, b;c') }} {{ re.split('(-)', 'x-y') }} {{ re.split(',', 'a,b,c', maxsplit=1) }}
-- escape: {{ re.escape('a.b*c d') }}
-- flags: {{ re.findall('^\\w', 'ab\ncd', re.MULTILINE) }} {{ re.findall('a.b', 'a\nb', flags=re.DOTALL) }}
{% set pattern = re.compile('(?P<key>\\w+):(?P<value>\\w+)', re.I) -%}
-- compile: {{ pattern.pattern }} {{ pattern.search('x k:v').group('value') }} {{ pattern.sub('\\g<value>=\\g<key>', 'a:b c:d') }} {{ pattern.match('k:v').groupdict() }} {{ pattern.findall('a:b c:d') }}
-- truthy: {% if re.search('b', 'abc') %}found{% endif %}{% if not re.search('z', 'abc') %} not found{% endif %}
-- literal braces: {{ re.sub('{{\\s*(\\w+)\\s*}}', '<\\1>', 'a {{ b }} c') }} {{ re.findall('x{2}|y{,2}z|q{1,}', 'xx yyz qq {}') }} {{ re.sub('[{}]', '', '{a}') }} {{ re.search('(?x) ({{) \\s* # a {{ in a comment\n (\\w+)', '{{ name').group(2) }} {{ re.findall('[[]x', 'a[x') }} {{ re.sub('(?x) {{ # an unclosed [ in a comment\n ([a-z]+) }}', '<\\1>', 'a {{b}} c') }}
select 1 as one
