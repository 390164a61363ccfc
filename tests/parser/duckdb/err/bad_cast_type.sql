select cast(a as ) from t
