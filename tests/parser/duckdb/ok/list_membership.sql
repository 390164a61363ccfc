select 'red' in tags, 'x' not in t.flags, array((select 1)) from t
