import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { echarts, type ChartOption, type ECharts } from '../echarts/echarts.js';

const live = new Set<ECharts>();

/** A width change this large rebuilds the option, so its labels are fitted again. */
const REFIT_PX = 24;

/** ECharts instances alive on the page (tests check that removed widgets dispose theirs). */
export function liveChartCount(): number {
  return live.size;
}

/**
 * One ECharts instance's life: created on first render into the host's
 * container, resized (throttled to a frame, skipping 0×0) with it, disposed
 * when the host leaves the page.
 */
export class ChartController implements ReactiveController {
  chart?: ECharts;
  private observer?: ResizeObserver;
  private frame = 0;
  /** Set by render(): the next frame ECharts draws is the new option's first. */
  private drawPending = false;
  /** The container's width when the option was built. */
  private laidOutWidth = 0;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly onClick: (params: { name?: string; seriesName?: string; seriesId?: string; dataIndex?: number; seriesIndex?: number; value?: unknown }) => void,
    /** Called when the container's width moved far from the one the option was laid out for (labels are fitted to it). */
    private readonly onWidthChange?: () => void,
  ) {
    host.addController(this);
  }

  render(container: HTMLElement, option: ChartOption): void {
    if (this.chart && this.chart.getDom() !== container) this.dispose();
    if (!this.chart) {
      this.chart = echarts.init(container, undefined, { renderer: 'canvas' });
      live.add(this.chart);
      this.chart.on('click', (params) => this.onClick(params as Parameters<typeof this.onClick>[0]));
      // Hosts (and the benchmark) learn when new data is on the canvas, not only in the DOM.
      this.chart.on('rendered', () => {
        if (!this.drawPending) return;
        this.drawPending = false;
        this.host.dispatchEvent(new CustomEvent('op-chart-rendered', { bubbles: true, composed: true }));
      });
      this.observer = new ResizeObserver(() => {
        cancelAnimationFrame(this.frame);
        this.frame = requestAnimationFrame(() => {
          if (!this.chart || this.chart.isDisposed() || container.clientWidth === 0 || container.clientHeight === 0) return;
          this.chart.resize();
          if (Math.abs(container.clientWidth - this.laidOutWidth) >= REFIT_PX) this.onWidthChange?.();
        });
      });
      this.observer.observe(container);
      // Printing lays the page out at the paper's width without the frames a ResizeObserver waits
      // for: the chart is resized at once, before and after, so it fits the page it prints on.
      window.addEventListener('beforeprint', this.resizeNow);
      window.addEventListener('afterprint', this.resizeNow);
    }
    this.drawPending = true;
    this.laidOutWidth = container.clientWidth;
    this.chart.setOption(option, { notMerge: true });
    this.cursor = { seriesIndex: 0, dataIndex: -1 };
  }

  /** The current keyboard position: a series and a data point. */
  private cursor = { seriesIndex: 0, dataIndex: -1 };

  /**
   * Moves through the data with the arrow keys (left/right: points, up/down:
   * series), showing each point's tooltip; Enter or Space acts as a click.
   */
  handleKey(event: KeyboardEvent): void {
    const chart = this.chart;
    if (!chart) return;
    const series = (chart.getOption() as { series?: { id?: string; name?: string; data?: unknown[] }[] }).series ?? [];
    if (series.length === 0) return;
    const c = this.cursor;
    const length = (i: number) => series[i]?.data?.length ?? 0;
    switch (event.key) {
      case 'ArrowRight':
        c.dataIndex = Math.min(c.dataIndex + 1, length(c.seriesIndex) - 1);
        break;
      case 'ArrowLeft':
        c.dataIndex = Math.max(c.dataIndex - 1, 0);
        break;
      case 'ArrowDown':
        c.seriesIndex = Math.min(c.seriesIndex + 1, series.length - 1);
        break;
      case 'ArrowUp':
        c.seriesIndex = Math.max(c.seriesIndex - 1, 0);
        break;
      case 'Enter':
      case ' ':
        if (c.dataIndex >= 0) this.onClick({ seriesIndex: c.seriesIndex, dataIndex: c.dataIndex, seriesName: series[c.seriesIndex]?.name, seriesId: series[c.seriesIndex]?.id });
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    c.dataIndex = Math.max(0, Math.min(c.dataIndex, length(c.seriesIndex) - 1));
    chart.dispatchAction({ type: 'showTip', seriesIndex: c.seriesIndex, dataIndex: c.dataIndex });
  }

  /** The chart as a PNG data URL, at twice the screen's pixels. */
  pngDataUrl(background: string): string | undefined {
    return this.chart?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: background });
  }

  hostDisconnected(): void {
    this.dispose();
  }

  private readonly resizeNow = () => {
    if (this.chart && !this.chart.isDisposed()) this.chart.resize();
  };

  dispose(): void {
    window.removeEventListener('beforeprint', this.resizeNow);
    window.removeEventListener('afterprint', this.resizeNow);
    this.observer?.disconnect();
    this.observer = undefined;
    cancelAnimationFrame(this.frame);
    if (this.chart) {
      live.delete(this.chart);
      if (!this.chart.isDisposed()) this.chart.dispose();
      this.chart = undefined;
    }
  }
}
