import type { MetricResult } from '../internal/api-client.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { promotionRoiOption } from './option.js';

/**
 * Per promotion: orders, net revenue, refund and cancellation rates, spend, ROAS and ROI.
 *
 * @example <op-promotion-roi from="2025-01-01" to="2026-01-01"></op-promotion-roi>
 * @fires op-filter-change - a promotion was clicked (field `promotion_id`)
 */
export class OpPromotionRoi extends OpMetricElement {
  protected readonly metric = 'promotion-roi';
  protected override readonly addsMoney = true;
  // A promotion's spend is not split by region, SKU series or customer tier (the service refuses them).
  protected override readonly crossFilterFields = ['channel', 'promotion_id', 'created_at'];
  protected readonly titleKey = 'title.promotion-roi';

  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    return result.rows.length === 0 ? ctx.t('empty.promotions') : undefined;
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return promotionRoiOption(result, ctx);
  }

  protected override clickToFilter(params: { dataIndex?: number }, result: MetricResult) {
    const row = this.clickedRow(params, result);
    return row ? { field: 'promotion_id', value: row.promotion_id as string } : undefined;
  }

  protected override tableColumns() {
    return ['name', 'channel', 'orders', 'revenue', 'spend', 'roas', 'roi', 'refund_rate', 'cancellation_rate'];
  }
}

define('op-promotion-roi', OpPromotionRoi);

declare global {
  interface HTMLElementTagNameMap {
    'op-promotion-roi': OpPromotionRoi;
  }
}
