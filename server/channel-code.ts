/**
 * A channel code as the store keeps it (douyin, jd, shop.eu): what the API filters on, so stable and
 * plain; checked on import, in settings and in tokens.
 */
export const CHANNEL_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,39}$';
const CHARACTERS = 'lower-case letters, digits, _ . -';
export const CHANNEL_CODE_MESSAGE = `a channel code is ${CHARACTERS} (e.g. douyin)`;

/** An import's SQL reason for a cell `column` that is no channel code (the same in orders and events files). */
export const notChannelCodeSql = (column: string) => `'channel ''' || left(${column}, 60) || ''' is not a channel code (${CHARACTERS})'`;
