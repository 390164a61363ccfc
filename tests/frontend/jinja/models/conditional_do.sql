{#- `do` takes any expression in Jinja2, a conditional one too: the call
    runs only when the condition holds. -#}
{%- set options = ["("] -%}
{%- do options.append("format csv") if var('use_csv', true) == true -%}
{%- do options.append(", header") if var('use_csv', true) == false -%}
{%- do options.append(", null ''\\N''") if (options | length) > 1 -%}
{%- do options.append(")") -%}
{%- set seen = {} -%}
{%- do seen.update({'done': 'yes'}) if 'if' not in options else none -%}
select '{{ options | join("") }}' as copy_options, '{{ seen.done }}' as done
