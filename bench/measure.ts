/**
 * Measuring: run N operations at a given concurrency, report throughput and latency percentiles.
 */
export interface Measurement {
  ops: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

/** Runs `count` calls of `op(i)` with `inFlight` workers. */
export async function measure(count: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<Measurement> {
  const latencies: number[] = new Array(count);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      await op(i);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { ops: count, seconds, perSecond: count / seconds, p50ms: at(0.5), p99ms: at(0.99) };
}

/** The median of several measurements, by throughput. */
export function median(runs: Measurement[]): Measurement {
  const sorted = [...runs].sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Plain fixed-width table. */
export function table(title: string, header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isInteger(c) ? String(c) : c.toFixed(2)) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, i) => String(c).padEnd(widths[i]!)).join('  ');
  return [`\n## ${title}`, line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** PASS or MISS against a target ratio. */
export const verdict = (ratio: number, target: number) => `${ratio.toFixed(3)}x ${ratio >= target ? 'PASS' : 'MISS'} (target ${target}x)`;
