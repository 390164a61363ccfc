select * from t lateral view explode( e as c;
