/** The one module that imports ECharts: only what the widgets draw, so the bundle stays small. */
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// No AriaComponent: it would overwrite the container's aria-label; the widgets name and describe charts themselves.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
export type { ECharts } from 'echarts/core';
export type { EChartsCoreOption as ChartOption } from 'echarts/core';
