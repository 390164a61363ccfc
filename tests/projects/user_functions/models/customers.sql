select
    clean_phone('+1 555 0100') as phone,
    fiscal_quarter(date '2024-05-01') as quarter,
    undeclared_udf(1) as mystery
