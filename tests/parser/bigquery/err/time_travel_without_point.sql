-- FOR SYSTEM_TIME AS OF needs a point in time.
select * from orders for system_time as of;
