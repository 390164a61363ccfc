-- Named by the project's configs alone: its parse-phase text is its compiled SQL.
select 1 as id, '{{ this }}' as me
