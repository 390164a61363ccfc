-- Project ids with dashes, name parts led by digits, time travel, IN UNNEST,
-- tables and models as arguments, RANGE constructors.
select * from my-project.sales.orders;
select t.1st_quarter, t.2024_total from my-project.sales.2024_totals as t;
select * from orders for system_time as of timestamp_sub(current_timestamp(), interval 1 hour);
select * from orders as o for system_time as of '2024-01-01';
select id from orders where status in unnest(['open', 'paid']) and id not in unnest(@ids);
select * from ml.predict(model `my-project.models.churn`, table analytics.customers);
select * from gap_fill(table device_data, ts_column => 'time', bucket_width => interval 1 minute);
select range(date '2024-01-01', date '2024-02-01');
select a-b as difference from t;
