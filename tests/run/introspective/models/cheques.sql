-- No payment is a cheque: analysed just in time, after pivoted has run,
-- this column does not exist.
select cheque_amount from {{ ref('pivoted') }}
