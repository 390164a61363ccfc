select from from t;
select b from u
