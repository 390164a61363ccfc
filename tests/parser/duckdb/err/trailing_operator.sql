select a + from t
