/**
 * Network status words mapped to what they ask for. Hosts extend or override the map.
 * @module
 */
import type { PostbackAction } from '../records.js';

/** Default status words (case-insensitive). A postback without a status is `completed`. */
export const DEFAULT_STATUS_MAP: Readonly<Record<string, PostbackAction>> = {
  completed: 'credit',
  complete: 'credit',
  approved: 'credit',
  success: 'credit',
  pending: 'pending',
  rejected: 'reject',
  declined: 'reject',
  reversed: 'reverse',
  chargeback: 'reverse',
};

/** The status used when a postback carries none. */
export const DEFAULT_POSTBACK_STATUS = 'completed';
