import { css } from 'lit';
import { themeStyles } from './theme.js';

/** The widgets' small buttons (toolbars, Show more, a filter's reset). */
export const buttonStyles = css`
  .button {
    font: inherit;
    font-size: 0.85em;
    padding: 2px 8px;
    border: 1px solid var(--_grid);
    border-radius: 4px;
    background: var(--_surface);
    color: var(--_text);
    cursor: pointer;
  }
  .button:hover {
    border-color: var(--_muted);
  }
  .button:focus-visible {
    outline: 2px solid var(--_s1);
    outline-offset: 1px;
  }
  .button[aria-pressed='true'] {
    border-color: var(--_s1);
  }
`;

/** Text for screen readers only (a table's caption, a fieldset's legend). */
export const visuallyHidden = css`
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** Layout shared by every widget. `:host` only sets display; everything inside uses classes. */
export const baseStyles = [
  themeStyles,
  buttonStyles,
  css`
    :host {
      display: block;
    }
    :host([hidden]) {
      display: none;
    }
    /* On paper a card stays whole on one page, and buttons that do nothing there are left out. */
    @media print {
      :host {
        break-inside: avoid;
        page-break-inside: avoid;
      }
      .toolbar,
      .retry,
      .list-footer button {
        display: none !important;
      }
      .root {
        border-color: #999;
      }
    }
    .root {
      box-sizing: border-box;
      height: 100%;
      padding: var(--op-padding, 12px 16px);
      border: 1px solid var(--_grid);
      border-radius: var(--op-radius, 8px);
      background: var(--_bg);
      color: var(--_text);
      font-family: var(--op-font-family, system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif);
      font-size: var(--op-font-size, 14px);
    }
    /* The buttons go to the line under the title when beside it the title would have less than
       11em (a phone's 342 px card wrapped "Where friction cost concentrates" on three lines). */
    .header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 8px;
      margin-bottom: 8px;
    }
    /* A card as narrow as a sidebar (300 px or less): the title takes the whole width, the buttons the line under it
       (beside them, a title wrapped to four lines at 220 px). The card is the container, not the page. */
    .root {
      container-type: inline-size;
    }
    @container (max-width: 300px) {
      .header {
        flex-wrap: wrap;
        row-gap: 4px;
      }
      .header > .heading {
        flex-basis: 100%;
      }
    }
    .heading {
      flex: 1 1 11em;
      min-width: 0;
    }
    .updated {
      display: block;
      font-size: 0.8em;
      color: var(--_muted);
    }
    .title {
      flex: 1;
      margin: 0;
      font-size: 1.05em;
      font-weight: 600;
    }
    .toolbar {
      display: flex;
      gap: 4px;
    }
    .info {
      margin: 0 0 8px;
      padding: 6px 10px;
      border-left: 3px solid var(--_s1);
      background: var(--_surface);
      color: var(--_text);
      font-size: 0.85em;
      line-height: 1.45;
    }
    .info p {
      margin: 0;
    }
    .info .info-scope {
      margin-top: 4px;
      color: var(--_muted);
    }
    .body {
      position: relative;
      height: var(--op-chart-height, 300px);
    }
    .chart {
      width: 100%;
      height: 100%;
    }
    .chart:focus-visible {
      outline: 2px solid var(--_s1);
      outline-offset: 2px;
    }
    .table-wrap {
      height: 100%;
      overflow: auto;
    }
    .data-table {
      width: 100%;
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
    }
    .data-table caption {
      /* The widget's heading already shows it; the caption names the table for screen readers. */
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
    .data-table th,
    .data-table td {
      padding: 4px 8px;
      border-bottom: 1px solid var(--_grid);
      text-align: start;
    }
    .data-table td.number,
    .data-table th.number {
      text-align: end;
    }
    .state {
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      gap: 8px;
      height: 100%;
      color: var(--_muted);
      text-align: center;
    }
    .state.error {
      color: var(--_bad);
    }
    .result {
      height: 100%;
      transition: opacity 0.15s;
    }
    .result.stale {
      opacity: 0.55;
    }
    .skeleton {
      height: 100%;
      border-radius: 6px;
      background: linear-gradient(90deg, var(--_surface) 25%, var(--_grid) 50%, var(--_surface) 75%);
      background-size: 200% 100%;
      animation: shimmer 1.2s infinite linear;
    }
    @keyframes shimmer {
      from {
        background-position: 200% 0;
      }
      to {
        background-position: -200% 0;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .skeleton {
        animation: none;
      }
    }
  `,
  visuallyHidden,
];
