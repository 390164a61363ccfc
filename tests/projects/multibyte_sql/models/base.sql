select 1 as id, 'Zażółć gęślą jaźń' as nazwa
