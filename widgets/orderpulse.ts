/**
 * OrderPulse widgets: importing this module registers every element.
 * <script type="module" src="https://HOST/widgets/orderpulse.js"></script>
 */
export { OpCycleTime } from './op-cycle-time/op-cycle-time.js';
export { OpStageBreakdown } from './op-stage-breakdown/op-stage-breakdown.js';
export { OpStuckOrders } from './op-stuck-orders/op-stuck-orders.js';
export { OpOnTime } from './op-on-time/op-on-time.js';
export { OpKpi } from './op-kpi/op-kpi.js';
export { OpFrictionCost } from './op-friction-cost/op-friction-cost.js';
export { OpFrictionPareto } from './op-friction-pareto/op-friction-pareto.js';
export { OpChannelFunnel } from './op-channel-funnel/op-channel-funnel.js';
export { OpRoiCompare } from './op-roi-compare/op-roi-compare.js';
export { OpPromotionRoi } from './op-promotion-roi/op-promotion-roi.js';
export { OpSurgeAlerts } from './op-surge-alerts/op-surge-alerts.js';
export { OpOrderList } from './op-order-list/op-order-list.js';
export { OpOrderTracker } from './op-order-tracker/op-order-tracker.js';
export { OpFreshness } from './op-freshness/op-freshness.js';
export { OpSla } from './op-sla/op-sla.js';
export { OpDashboard } from './op-dashboard/op-dashboard.js';
export { OpDateRange } from './op-date-range/op-date-range.js';
export { OpFilter } from './op-filter/op-filter.js';
export { OpFilterChangeEvent, type FilterClause } from './events/op-filter-change.js';
export { OpDrillThroughEvent, type DrillThrough } from './events/op-drill-through.js';
export { OpTokenExpiredEvent, type TokenExpired } from './events/op-token-expired.js';
export { OpScopeChangeEvent, type ScopeChange } from './events/op-scope-change.js';
