select id, lable from {{ ref('good') }}
