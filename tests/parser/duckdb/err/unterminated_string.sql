select 'abc from t
