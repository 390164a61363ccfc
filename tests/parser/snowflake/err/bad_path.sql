select v: from t;
