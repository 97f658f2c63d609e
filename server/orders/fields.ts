/**
 * The fields an order row of GET /api/orders can carry, in the order they are listed. An embed
 * token with the `orders` capability sees those its `orderFields` allow; without a list, all but
 * `customer_id` (who the buyer is is opt-in: a portal's drill-through rarely needs it) and
 * `events` (actor names are people).
 */
export const ORDER_ROW_FIELDS = [
  'channel',
  'order_id',
  'created_at',
  'promised_at',
  'customer_id',
  'customer_tier',
  'region',
  'sku',
  'sku_series',
  'quantity',
  'amount',
  'currency',
  'promotion_id',
  'warehouse',
  'carrier',
  'tracking_number',
  'current_stage',
  'stage_since',
  'age_hours',
  'settled_at',
  'friction_cost',
  'expected_ship',
  'expected_delivery',
  'stages',
  'events',
] as const;
export type OrderRowField = (typeof ORDER_ROW_FIELDS)[number];

/** What a token without `orderFields` sees. */
export const DEFAULT_TOKEN_FIELDS: readonly OrderRowField[] = ORDER_ROW_FIELDS.filter((f) => f !== 'customer_id' && f !== 'events');
