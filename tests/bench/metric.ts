/** One line of `npm run bench`: a figure, and the baseline it was measured against in the same run. */
export interface Metric {
  metric: string;
  value: number;
  unit: string;
  /** The same thing done the raw or naive way, measured in the same run. */
  baseline?: number;
  /** The target, as text (e.g. "<= 1.3"). */
  goal?: string;
  [detail: string]: unknown;
}

export type Bench = (log: (m: Metric) => void) => Promise<void>;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
