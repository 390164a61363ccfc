{{ config(materialized='ephemeral') }}
-- a placeholder no model reads: never executed, so its fault is a warning
{{ ref('orders') }}
