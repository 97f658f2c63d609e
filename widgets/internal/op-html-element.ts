import type { MetricResult } from './api-client.js';
import type { MessageKey } from './messages.js';
import { OpMetricElement, type RenderContext } from './op-metric-element.js';

/** Base of the widgets that render HTML only (lists, cards): no chart to draw, toggle or export. */
export abstract class OpHtmlElement extends OpMetricElement {
  /** What the widget says when the answer has no rows. */
  protected readonly emptyKey: MessageKey = 'empty';

  protected chartOption(): undefined {
    return undefined;
  }

  protected override hasChart(): boolean {
    return false;
  }

  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    return result.rows.length === 0 ? ctx.t(this.emptyKey) : undefined;
  }
}
