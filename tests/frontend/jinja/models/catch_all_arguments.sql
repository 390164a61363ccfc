select
    '{{ describe("plain") }}' as plain,
    '{{ describe("keywords", colour="red", size=2) }}' as keywords,
    '{{ describe("positional", "a", "b") }}' as positional,
    '{{ forward("forwarded", depth=3) }}' as forwarded
