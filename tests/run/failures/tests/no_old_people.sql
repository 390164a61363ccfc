-- Fails: Grace is 85. Under build it skips what reads adults.
select * from {{ ref('adults') }} where age > 80
