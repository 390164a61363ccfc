select 1 as old_widget_id
