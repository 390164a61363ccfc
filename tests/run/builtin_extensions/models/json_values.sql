select json_extract_string('{"plan": {"tier": "gold"}}', '$.plan.tier') as tier
