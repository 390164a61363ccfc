-- leading comment
select /* inline /* nested */ comment */ a -- trailing
  , "Quoted Column" as "Alias ""X"""
from "My Table";;
;
