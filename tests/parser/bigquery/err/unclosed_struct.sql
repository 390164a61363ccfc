select cast(x as array<struct<a int64>) from t;
