import { css } from 'lit';
import { themeStyles } from './theme.js';

/** Form controls (op-date-range, op-filter): labelled fields in a row that wraps, in the widgets' theme. */
export const controlStyles = [
  themeStyles,
  css`
    :host {
      display: inline-block;
    }
    .root {
      display: flex;
      flex-wrap: wrap;
      align-items: end;
      gap: 8px 12px;
      color: var(--_text);
      font-family: var(--op-font-family, system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif);
      font-size: var(--op-font-size, 14px);
    }
    label,
    .field {
      display: flex;
      flex-direction: column;
      gap: 2px;
      font-size: 0.85em;
      color: var(--_muted);
    }
    select,
    input,
    summary {
      font: inherit;
      font-size: 1.05em;
      color: var(--_text);
      background: var(--_bg);
      border: 1px solid var(--_grid);
      border-radius: 4px;
      padding: 3px 6px;
    }
    select:focus-visible,
    input:focus-visible,
    summary:focus-visible {
      outline: 2px solid var(--_s1);
      outline-offset: 1px;
    }
    @media print {
      :host {
        display: none;
      }
    }
  `,
];
