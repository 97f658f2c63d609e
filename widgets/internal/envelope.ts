/**
 * The JSON a metric answers with: the service's contract with the widgets, defined once. Types only,
 * so the service (server/metrics/metric-service.ts) imports them without any widget code.
 */

/** A text per locale; a missing one falls back to the default. */
export interface LocalizedText {
  en?: string;
  'zh-CN'?: string;
}

/** The tenant's display names of channels, by channel code (settings channelNames). */
export type ChannelNames = Record<string, LocalizedText>;

export type ColumnType = 'time' | 'string' | 'integer' | 'number' | 'boolean';
export interface Column {
  name: string;
  type: ColumnType;
}

export interface MetricEnvelope {
  metric: string;
  params: Record<string, unknown>;
  columns: Column[];
  rows: Record<string, unknown>[];
  meta: {
    dataVersion: number;
    elapsedMs: number;
    cached: boolean;
    rowCount: number;
    precision?: 'day' | 'time';
    /** When the data of the scope's channels was last imported, UTC ISO 8601 (null: never). */
    dataUpdatedAt: string | null;
    /** The tenant's display names of the channels the caller may see, when it set any. */
    channelNames?: ChannelNames;
  };
}
