select 1 as widget_id
