select l_orderkey, sum(l_quantity) as total
from lineitem
group by l_orderkey;
