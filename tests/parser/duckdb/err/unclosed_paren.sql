select (a + 1 from t;
select 2
