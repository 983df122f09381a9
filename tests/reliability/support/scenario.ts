/** What a scenario is to the runner: named cases, each giving one line of figures and a verdict. */

export interface Mode {
  quick: boolean;
}

/** Figures every line carries, plus scenario-specific ones. */
export interface Figures {
  requests: number;
  faults: number;
  lost: number;
  doubled: number;
  fiveXx: number;
  [extra: string]: number | string;
}

export interface Outcome {
  figures: Figures;
  /** Why the case failed; empty when it passed. */
  problems: string[];
}

export interface Case {
  name: string;
  /** Runs in full mode only (quick mode keeps CI within a few minutes). */
  fullOnly?: boolean;
  run(mode: Mode): Promise<Outcome>;
}

/** Formats the one line of a case. */
export function formatFigures(figures: Figures): string {
  const { requests, faults, lost, doubled, fiveXx, ...extra } = figures;
  const parts = [`requests=${requests}`, `faults=${faults}`, `lost=${lost}`, `doubled=${doubled}`, `5xx=${fiveXx}`];
  for (const [key, value] of Object.entries(extra)) parts.push(`${key}=${value}`);
  return parts.join(' ');
}

/** Collects problems with a cap, so one broken invariant does not print ten thousand lines. */
export class Problems {
  readonly list: string[] = [];
  private dropped = 0;
  add(text: string): void {
    if (this.list.length < 25) this.list.push(text);
    else this.dropped += 1;
  }
  check(condition: boolean, text: string): void {
    if (!condition) this.add(text);
  }
  done(): string[] {
    return this.dropped > 0 ? [...this.list, `... and ${this.dropped} more`] : this.list;
  }
}
