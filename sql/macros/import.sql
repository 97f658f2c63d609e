-- Parsers used by the importer. A NULL result for a non-empty input is a
-- rejected value; the importer reports it with its file, line and column.

-- An instant from text: ISO 8601 with an offset ("Z", "+08", "-05:00",
-- "-0500", with or without a space before it), else a local date-time read in
-- time zone `tz`, first as ISO 8601 and then with the strptime `formats`.
CREATE OR REPLACE TEMP MACRO op_parse_instant(v, tz, formats) AS
  CASE
    WHEN v IS NULL THEN NULL
    WHEN regexp_matches(v, '\d:\d\d(:\d\d(\.\d+)?)?\s?(Z|[+-]\d\d(:?\d\d)?)$')
      THEN try_cast(regexp_replace(v, '\s?([+-]\d\d):?(\d\d)$', '\1:\2') AS TIMESTAMPTZ)
    ELSE timezone(tz, coalesce(try_cast(v AS TIMESTAMP), try_strptime(v, formats)))
  END;

-- `v`, or NULL when it is one of the placeholder values a mapping lists in nullIf (e.g. 9999-12-31).
CREATE OR REPLACE TEMP MACRO op_null_if(v, null_if) AS CASE WHEN list_contains(null_if, v) THEN NULL ELSE v END;

CREATE OR REPLACE TEMP MACRO op_parse_money(v) AS try_cast(v AS DECIMAL(18, 2));
CREATE OR REPLACE TEMP MACRO op_parse_integer(v) AS try_cast(v AS INTEGER);
CREATE OR REPLACE TEMP MACRO op_parse_number(v) AS try_cast(v AS DOUBLE);
