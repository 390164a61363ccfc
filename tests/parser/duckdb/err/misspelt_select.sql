selec a from t;
select 1;
frobnicate the database
