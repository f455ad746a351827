import type { SimHandlerContext, SimResponse } from '../sim-route';

/**
 * One page of a list, with `nextLink` when more remain, as ARM lists page: the SDK follows `nextLink` verbatim.
 * The skip token is an opaque offset.
 */
export function pagedList<T>(ctx: SimHandlerContext, items: readonly T[], pageSize: number, render: (item: T) => unknown): SimResponse {
  const token = ctx.query.get('$skipToken');
  const offset = token ? Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10) : 0;
  const start = Number.isFinite(offset) && offset > 0 ? offset : 0;
  const page = items.slice(start, start + pageSize);
  const next = start + pageSize < items.length ? start + pageSize : undefined;
  const body: { value: unknown[]; nextLink?: string } = { value: page.map(render) };
  if (next !== undefined) {
    const query = new URLSearchParams(ctx.query);
    query.set('$skipToken', Buffer.from(String(next), 'utf8').toString('base64url'));
    body.nextLink = `${ctx.baseUrl}${ctx.path}?${query.toString()}`;
  }
  return { status: 200, body };
}
