select
    normalize_email(' Ada@Example.com ') as email,
    add_tax(10.00) as price_with_tax,
    undeclared_function(1) as mystery
