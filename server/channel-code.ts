/**
 * A channel code as the store keeps it (douyin, jd, shop.eu): what the API filters on, so stable and
 * plain; checked on import, in settings and in tokens.
 */
export const CHANNEL_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,39}$';
export const CHANNEL_CODE_MESSAGE = 'a channel code is lower-case letters, digits, _ . - (e.g. douyin)';
