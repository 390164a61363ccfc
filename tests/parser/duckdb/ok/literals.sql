select
  'it''s', e'tab\there', $$dollar 'quoted'$$, $tag$with $ inside$tag$,
  42, 1.5, .5, 1e10, 2.5E-3, 1_000_000, 0x1F,
  null, true, false,
  date '2024-01-01', timestamp '2024-01-01 10:00:00', time '10:00',
  timestamptz '2024-01-01 00:00:00+00', timestamp with time zone '2024-01-01 00:00:00+00',
  interval '1 day', interval '2' month, interval 3 day, interval 4 days, interval (n * 2) hour,
  ?, $1, $name
