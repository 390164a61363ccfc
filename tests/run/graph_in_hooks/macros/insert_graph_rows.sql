{% macro quoted(value) -%}
'{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro insert_graph_rows(relation) %}
{%- if execute -%}
{%- set rows = [] -%}
{#- Hook operations aside: fusionc's graph does not list them yet. -#}
{%- for unique_id, node in (graph.nodes.items() | list) + (graph.sources.items() | list) + (graph.exposures.items() | list) | sort if node.resource_type != 'operation' -%}
  {%- set columns = [] -%}
  {%- for name, column in node.get('columns', {}).items() -%}
    {%- do columns.append(name ~ ':' ~ (column.data_type or '') ~ ':' ~ (column.constraints | map(attribute='type') | join('+')) ~ ':' ~ (column.description or '')) -%}
  {%- endfor -%}
  {%- set metadata = node.get('test_metadata') or {} -%}
  {%- set kwargs = metadata.get('kwargs') or {} -%}
  {%- do rows.append('(' ~ [
      quoted(unique_id),
      quoted(node.resource_type),
      quoted(node.get('depends_on', {}).get('nodes', []) | sort | join(',')),
      quoted(metadata.get('name', '')),
      quoted(kwargs.keys() | sort | join(',')),
      quoted(node.get('column_name') or ''),
      quoted(node.get('attached_node') or ''),
      quoted(columns | join(' | ')),
      quoted(node.get('meta', {}) | tojson),
      (node.get('contract') or {}).get('enforced', false) | string | lower,
      quoted(node.get('access') or ''),
      quoted(node.get('alias') or node.get('identifier') or ''),
      (node.get('raw_code') or '').strip().split('\n') | length,
      quoted((node.get('time_spine') or {}).get('standard_granularity_column', '')),
  ] | join(', ') ~ ')') -%}
{%- endfor -%}
insert into {{ relation }} values {{ rows | join(',\n') }}
{%- endif %}
{% endmacro %}
