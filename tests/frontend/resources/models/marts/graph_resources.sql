{#- dbt's `graph` holds the exposures and metrics, with what they depend on. -#}
{%- set lines = [] -%}
{%- if execute -%}
{%- for exposure in graph.exposures.values() -%}
{%- do lines.append(exposure.unique_id ~ ' <- ' ~ exposure.depends_on.nodes | join(' ') ~ ' (' ~ exposure.owner.email ~ ')') -%}
{%- endfor -%}
{%- for metric in graph.metrics.values() -%}
{%- do lines.append(metric.unique_id ~ ' measures ' ~ metric.type_params.input_measures | map(attribute='name') | join(' ')) -%}
{%- endfor -%}
{%- endif %}
select {% for line in lines | sort %}'{{ line }}' as line_{{ loop.index }}{{ ', ' if not loop.last }}{% endfor %}
