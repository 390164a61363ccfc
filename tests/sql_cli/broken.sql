select v:a::string from t where
