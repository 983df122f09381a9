/**
 * The admin routes of the route table (`/admin/...`, auth `admin`): guarded by the host's
 * `authorizeAdmin` hook, validated by the admin zod schemas, served by `tracker.admin`.
 * @module
 */
import { z } from 'zod';
import {
  AdjustmentBodySchema,
  AdjustmentResultSchema,
  AdminAttemptsPageSchema,
  AdminClicksPageSchema,
  AdminClicksQuerySchema,
  AdminEarningsPageSchema,
  AdminEarningsQuerySchema,
  AdminLedgerQuerySchema,
  AdminPostbacksQuerySchema,
  AdminStatsQuerySchema,
  ApprovalResultSchema,
  EarningDetailSchema,
  IdentifierSchema,
  LedgerStatementSchema,
  StatsViewSchema,
} from 'clickcredit';
import type { RouteContext, RouteResult } from './routes.js';

const EarningParams = z.object({ earningId: IdentifierSchema });
const UserParams = z.object({ userId: IdentifierSchema });

const data = async (value: Promise<unknown>): Promise<RouteResult> => ({ data: await value });

/** The admin routes, literal types kept for the typed client. */
export const ADMIN_ROUTE_TABLE = [
  {
    id: 'adminListPostbacks',
    method: 'GET',
    path: '/admin/postbacks',
    auth: 'admin',
    summary: 'Postback attempts across clicks and networks, refused ones included, newest first',
    query: AdminPostbacksQuerySchema,
    status: 200,
    message: 'Postback attempts',
    response: AdminAttemptsPageSchema,
    handle: ({ tracker, request }: RouteContext) => data(tracker.admin.listPostbacks(request.query)),
  },
  {
    id: 'adminListEarnings',
    method: 'GET',
    path: '/admin/earnings',
    auth: 'admin',
    summary: 'Earnings across users, newest first; approvalStatus=pending&status=completed is the hold queue',
    query: AdminEarningsQuerySchema,
    status: 200,
    message: 'Earnings',
    response: AdminEarningsPageSchema,
    handle: ({ tracker, request }: RouteContext) => data(tracker.admin.listEarnings(request.query)),
  },
  {
    id: 'adminGetEarning',
    method: 'GET',
    path: '/admin/earnings/:earningId',
    auth: 'admin',
    summary: 'One earning, its click and every postback attempt that touched it',
    params: EarningParams,
    status: 200,
    message: 'Earning',
    response: EarningDetailSchema,
    handle: ({ tracker, request }: RouteContext) => data(tracker.admin.getEarningDetail(request.params.earningId!)),
  },
  {
    id: 'adminApproveEarning',
    method: 'POST',
    path: '/admin/earnings/:earningId/approve',
    auth: 'admin',
    summary: 'Approve a held earning (credits it once); again: unchanged; after a reject: 409',
    params: EarningParams,
    status: 200,
    message: 'Earning approved',
    response: ApprovalResultSchema,
    handle: ({ tracker, request }: RouteContext) => data(tracker.admin.approve(request.params.earningId!)),
  },
  {
    id: 'adminRejectEarning',
    method: 'POST',
    path: '/admin/earnings/:earningId/reject',
    auth: 'admin',
    summary: 'Reject a held earning (nothing credited); again: unchanged; after an approve: 409',
    params: EarningParams,
    status: 200,
    message: 'Earning rejected',
    response: ApprovalResultSchema,
    handle: ({ tracker, request }: RouteContext) => data(tracker.admin.reject(request.params.earningId!)),
  },
  {
    id: 'adminLedgerStatement',
    method: 'GET',
    path: '/admin/users/:userId/ledger',
    auth: 'admin',
    summary: "A user's ledger entries, newest first, with the balance after each, and the wallet",
    params: UserParams,
    query: AdminLedgerQuerySchema,
    status: 200,
    message: 'Ledger statement',
    response: LedgerStatementSchema,
    handle: ({ tracker, request }: RouteContext) => data(tracker.admin.ledgerStatement(request.params.userId!, request.query)),
  },
  {
    id: 'adminAdjustWallet',
    method: 'POST',
    path: '/admin/users/:userId/adjustments',
    auth: 'admin',
    summary: 'A manual credit or debit, idempotent by key; a debit that would overdraw is 409 unless allowOverdraft',
    params: UserParams,
    body: AdjustmentBodySchema,
    status: 200,
    message: 'Wallet adjusted',
    response: AdjustmentResultSchema,
    handle: ({ tracker, request }: RouteContext) =>
      data(tracker.admin.adjust({ ...AdjustmentBodySchema.parse(request.body ?? {}), userId: request.params.userId! })),
  },
  {
    id: 'adminListClicks',
    method: 'GET',
    path: '/admin/clicks',
    auth: 'admin',
    summary: 'Clicks across users, newest first',
    query: AdminClicksQuerySchema,
    status: 200,
    message: 'Clicks',
    response: AdminClicksPageSchema,
    handle: ({ tracker, request }: RouteContext) => data(tracker.admin.listClicks(request.query)),
  },
  {
    id: 'adminStats',
    method: 'GET',
    path: '/admin/stats',
    auth: 'admin',
    summary: 'Clicks, conversions, credited and reversed amounts, holds and refusals by decision, per bucket, network and product',
    query: AdminStatsQuerySchema,
    status: 200,
    message: 'Statistics',
    response: StatsViewSchema,
    handle: ({ tracker, request }: RouteContext) => data(tracker.admin.stats(request.query as z.input<typeof AdminStatsQuerySchema>)),
  },
] as const;
