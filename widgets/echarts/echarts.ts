/** The one module that imports ECharts: only what the widgets draw, so the bundle stays small. */
import * as echarts from 'echarts/core';
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// No AriaComponent: it would overwrite the container's aria-label; the widgets name and describe charts themselves.
// Mark lines and areas: the tenant's notes and promotions on the time charts (widgets/internal/annotations.ts).
// Titles: op-channel-funnel's panel names; scatter: op-surge-alerts' surge hours.
echarts.use([BarChart, LineChart, ScatterChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, MarkLineComponent, MarkAreaComponent, CanvasRenderer]);

export { echarts };
export type { ECharts } from 'echarts/core';
export type { EChartsCoreOption as ChartOption } from 'echarts/core';
