/**
 * The admin API and the admin side of the storage port.
 * @module
 */
// createAdminApi is internal (it takes the resolved options): hosts use `tracker.admin`.
export type { AdminApi } from './admin-api.js';
export * from './schemas.js';
export * from './types.js';
export { clickHoldTerms, HOLD_EVERY_CONVERSION, type ProductHold } from './holds.js';
export { encodeListCursor, decodeListCursor, encodeStatementCursor, decodeStatementCursor, type StatementCursor } from './cursor.js';
export { toAdminClickView, toStatsRowView } from './views.js';
