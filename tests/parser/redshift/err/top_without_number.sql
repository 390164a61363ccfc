select top from t where;
