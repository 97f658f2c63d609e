/** The one module that imports ECharts: only what the widgets draw, so the bundle stays small. */
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
export type { ECharts } from 'echarts/core';
export type { EChartsCoreOption as ChartOption } from 'echarts/core';
