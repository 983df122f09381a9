/**
 * A click as the memory store keeps it: the record and the earnings of its conversions, in one
 * place, so a postback finds both with one lookup of the click id (no second map keyed by a
 * "click + conversion" string per earning).
 * @module
 */
import type { ClickRecord } from 'clickcredit';

/** One stored click: its current record and its conversions' earning ids. */
export class ClickSlot {
  /** The first conversion of the click (the only one unless the product allows goals). */
  private conversionId: string | null = null;
  private earningId: string | null = null;
  /** Further conversions (goals), conversion id -> earning id. */
  private more: Map<string, string> | null = null;

  constructor(
    /** The click as it stands: replaced, never edited, when the click changes. */
    public click: ClickRecord,
  ) {}

  /** The earning id of the click's conversion `conversionId`, if it has one. */
  earningOf(conversionId: string): string | undefined {
    if (this.conversionId === conversionId) return this.earningId!;
    return this.more?.get(conversionId);
  }

  /** Records the earning of a new conversion. */
  addEarning(conversionId: string, earningId: string): void {
    if (this.conversionId === null) {
      this.conversionId = conversionId;
      this.earningId = earningId;
      return;
    }
    (this.more ??= new Map()).set(conversionId, earningId);
  }
}
