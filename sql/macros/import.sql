-- Parsers used by the importer. A NULL result for a non-empty input is a
-- rejected value; the importer reports it with its file, line and column.

-- An instant from text. One parser for every date-time an import reads; a zone suffix is never
-- dropped: it is understood, or the value does not parse (and is rejected with its line).
-- - Unix time: 10 digits (seconds, optionally with a fraction) or 13 (milliseconds).
-- - A wall time, optionally followed by its zone: a numeric offset after a time of day (`+08`,
--   `+0800`, `+08:00`, also after `UTC`/`GMT`), or `Z`, `UTC`, `GMT`, or an IANA name in brackets or
--   after a space. Without a zone it is read in `tz` (the mapping's, else the store's).
-- - The wall time itself: ISO 8601 (`T` or a space, seconds and fraction optional), Chinese
--   `2024年3月1日 10:02`, else the strptime `formats` (tried on the text without its zone).
-- Two fast paths come first: plain local ISO and ISO with Z or an offset, most exports' forms.
-- The zone names ICU knows, once per connection, read by op_zoned through getvariable (a
-- constant): a subquery on pg_timezone_names() there made a 3-line import need more than 48 MB.
SET VARIABLE op_zone_names = (SELECT list(name) FROM pg_timezone_names());

-- A date-time text as {body, zone}: zone '' when it names none. (Each macro below binds its
-- argument once through a one-element list_transform: inlined as it was written, one instant
-- column became a tree of hundreds of copies of the value, and a 3-line import took 1.2 s to plan.)
CREATE OR REPLACE TEMP MACRO op_split_zone(value) AS list_transform([value], v ->
  CASE
    WHEN regexp_full_match(v, '.*\d:\d\d(:\d\d(\.\d+)?)?\s*(UTC|GMT)?[+-]\d\d(:?\d\d)?')
      THEN regexp_extract(v, '^(.*\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*(?:UTC|GMT)?([+-]\d\d(?::?\d\d)?)$', ['body', 'zone'])
    WHEN regexp_full_match(v, '.*\d\s*(Z|UTC|GMT)')
      THEN regexp_extract(v, '^(.*\d)\s*(Z|UTC|GMT)$', ['body', 'zone'])
    WHEN regexp_full_match(v, '.*\d\s*\[[A-Za-z][A-Za-z0-9_/+-]*\]')
      THEN regexp_extract(v, '^(.*\d)\s*\[([A-Za-z][A-Za-z0-9_/+-]*)\]$', ['body', 'zone'])
    WHEN regexp_full_match(v, '.*\d\s+[A-Za-z]+/[A-Za-z0-9_/+-]+')
      THEN regexp_extract(v, '^(.*\d)\s+([A-Za-z]+/[A-Za-z0-9_/+-]+)$', ['body', 'zone'])
    ELSE {'body': v, 'zone': ''}
  END)[1];

-- A wall time from text without a zone; NULL when it is none of the forms above.
CREATE OR REPLACE TEMP MACRO op_parse_local(b, formats) AS
  CASE
    WHEN regexp_full_match(b, '\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d\d(:\d\d(\.\d+)?)?)?') THEN try_cast(replace(b, 'T', ' ') AS TIMESTAMP)
    WHEN regexp_full_match(b, '\d{4}年\d{1,2}月\d{1,2}日(\s*\d{1,2}[:：]\d\d([:：]\d\d)?)?')
      THEN try_strptime(regexp_replace(regexp_replace(b, '^(\d{4})年(\d{1,2})月(\d{1,2})日\s*', '\1-\2-\3 '), '：', ':', 'g'),
                        ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d '])
    ELSE try_strptime(b, formats)
  END;

-- The instant a wall time names in `zone` ('' → `tz`; an offset; Z, UTC, GMT; an IANA name).
-- An unknown name or an offset beyond ±18:00 gives NULL.
CREATE OR REPLACE TEMP MACRO op_zoned(local_value, zone, tz) AS list_transform([local_value], local_ts ->
  CASE
    WHEN local_ts IS NULL THEN NULL
    WHEN zone = '' THEN timezone(tz, local_ts)
    WHEN zone IN ('Z', 'UTC', 'GMT') THEN timezone('UTC', local_ts)
    WHEN zone[1] IN ('+', '-') THEN
      CASE WHEN op_offset_minutes(zone) BETWEEN -1080 AND 1080 THEN timezone('UTC', local_ts) - to_minutes(op_offset_minutes(zone)) END
    WHEN list_contains(getvariable('op_zone_names'), zone) THEN timezone(zone, local_ts)
  END)[1];
CREATE OR REPLACE TEMP MACRO op_offset_minutes(zone) AS
  (CASE WHEN zone[1] = '-' THEN -1 ELSE 1 END)
  * (regexp_replace(zone, '[^0-9]', '', 'g')[1:2]::INTEGER * 60 + coalesce(nullif(regexp_replace(zone, '[^0-9]', '', 'g')[3:4], '')::INTEGER, 0));

CREATE OR REPLACE TEMP MACRO op_parse_instant(v, tz, formats) AS
  CASE
    WHEN v IS NULL THEN NULL
    WHEN regexp_full_match(v, '\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d{1,6})?)?') THEN timezone(tz, try_cast(v AS TIMESTAMP))
    WHEN regexp_full_match(v, '\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d(:\d\d)?)') THEN try_cast(v AS TIMESTAMPTZ)
    WHEN regexp_full_match(v, '\d{10}(\.\d{1,6})?') THEN to_timestamp(v::DOUBLE)
    WHEN regexp_full_match(v, '\d{13}') THEN make_timestamptz(v::BIGINT * 1000)
    ELSE list_transform([op_split_zone(v)], s -> op_zoned(op_parse_local(s.body, formats), s.zone, tz))[1]
  END;

-- `v`, or NULL when it is one of the placeholder values a mapping lists in nullIf (e.g. 9999-12-31).
CREATE OR REPLACE TEMP MACRO op_null_if(v, null_if) AS CASE WHEN list_contains(null_if, v) THEN NULL ELSE v END;

-- Money is read at 10 decimals and rounded to cents once, when the field is stored (field-sql.ts):
-- a sum over an order's lines is the sum of the lines, not of their rounded values. Text to a
-- DECIMAL wider than 18 digits goes through 128-bit integers, about 100 times slower (5.3 µs a
-- value: 0.5 s per 100k amounts), so values below 10^8 are read at 18 digits first.
CREATE OR REPLACE TEMP MACRO op_parse_money(v) AS coalesce(try_cast(v AS DECIMAL(18, 10)), try_cast(v AS DECIMAL(28, 10)));
CREATE OR REPLACE TEMP MACRO op_parse_integer(v) AS try_cast(v AS INTEGER);
CREATE OR REPLACE TEMP MACRO op_parse_number(v) AS try_cast(v AS DOUBLE);
