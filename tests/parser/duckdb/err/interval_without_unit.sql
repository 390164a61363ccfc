select interval 3 from t
