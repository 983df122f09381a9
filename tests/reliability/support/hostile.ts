/**
 * Hostile requests for every route, as fast-check arbitraries. A request is a template: the
 * token `@CLICK@` in its path, query or body is replaced by a real click id of the target it is
 * sent to (so one generated request runs alike against Express and Fastify). Each carries what
 * the oracle must hold about its answer (an amount that must be refused, the amount a fresh
 * credit must earn, a status that is the only right one).
 */
import fc from 'fast-check';

export type Route = 'createClick' | 'track' | 'postback' | 'getClick' | 'earnings' | 'wallet';

/** Which click `@CLICK@` stands for. */
export type ClickRef =
  | { pool: 'user'; fresh: boolean; slot: number }
  | { pool: 'friend'; slot: number }
  | { pool: 'none' };

export interface HostileRequest {
  route: Route;
  label: string;
  method: 'GET' | 'POST';
  /** Path below the mount prefix, already percent-encoded; may contain `@CLICK@`. */
  path: string;
  /** Query string without `?`, raw; may contain `@CLICK@`. */
  query: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer;
  click: ClickRef;
  expect: {
    /** The only acceptable status (e.g. 400 for an amount that must be refused). */
    status?: number;
    /** Any 2xx is wrong. */
    noSuccess?: boolean;
    /** Minor units a fresh credit of this postback must earn (capped), when it credits. */
    amountMinor?: bigint;
  };
}

/** Words that must never reach a client; generated text avoids them so an echo is not a false alarm. */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /\n\s*at\s/, /\bat [\w.<>]+ \(/, /\bat (file|node):/, /node_modules/, /\bERR_[A-Z_]+/, /ioredis/i, /\bpg\b/, /pglite/i, /postgres/i,
  /relation "/, /syntax error/i, /BoundPool/, /ECONN[A-Z]+/, /TypeError|ReferenceError|RangeError|SyntaxError/, /Cannot read propert/, /\.ts:\d+/, /\.js:\d+/,
  /duplicate key value/, /violates .* constraint/, /WRONGTYPE|NOSCRIPT|ERR /, /FST_[A-Z_]+/,
];
const safe = (text: string) => !LEAK_PATTERNS.some((pattern) => pattern.test(text)) && !text.includes('@CLICK@');

const CAP = 5000n;
const TOKENS = { user: 'Bearer demo-token', friend: 'Bearer demo-friend-token' };

/** Percent-encodes any JS string, lone surrogates included (as the invalid UTF-8 they are on the wire). */
export function encodeAny(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const isHigh = unit >= 0xd800 && unit <= 0xdbff;
    const isLow = unit >= 0xdc00 && unit <= 0xdfff;
    if (isHigh && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i += 1;
    } else if (isHigh || isLow) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(text[i]!);
    }
  }
  return out;
}

const loneSurrogate = fc.constantFrom('\ud800', '\udfff', 'a\udc00b', '\ud83d');
const control = fc.constantFrom('\u0000', '\t', '\r\n', '\n', '\u001b', '\u007f', '\u2028', '\ufeff');
/** Strings with the characters that break parsers, stores and log lines. */
const nasty = fc
  .oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$where', '{"$gt":""}', "' OR 1=1 --", '%00', '..', '../../etc/passwd', '${jndi:x}', '*', '\\') },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 6 }), loneSurrogate, control).map((parts) => parts.join('')) },
  )
  .filter(safe);
const longText = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.constantFrom('a', 'é', '9', '-', 'x_')).map(([n, c]) => c.repeat(n).slice(0, n));

/** Amounts with what they must do: a known credit (minor units, capped) or a refusal. */
const amounts: fc.Arbitrary<{ value: unknown; minor?: bigint; refuse?: boolean; absent?: boolean }> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 9999 }).chain((cents) => {
    const minor = BigInt(cents) > CAP ? CAP : BigInt(cents);
    const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    return fc.constantFrom(
      { value: text, minor },
      { value: ` ${text}  `, minor }, // padded: the amount is trimmed
      { value: `00${text}`, minor },
      { value: `+${text}`, minor },
      { value: Number(text), minor },
    );
  }) },
  { weight: 1, arbitrary: fc.constantFrom(
    { value: 1e2, minor: CAP }, // a JSON number 100: capped
    { value: '999999999.99', minor: CAP },
    { value: '50', minor: CAP },
    { absent: true, value: undefined, minor: CAP }, // no amount: earns the cap (contract)
  ) },
  { weight: 4, arbitrary: fc.constantFrom(
    '', ' ', null, '-0', '-1.00', '-0.01', '0x10', '1e2', '1E2', '1e21', 1e21, '١٢٫٥٠', '۱۲', '１２', '12,50', '12.345', '12.3.4', 'NaN', 'Infinity',
    '-Infinity', '12\u0000', '\u0000', '12 34', '.5e1', '0b11', '1_000', true, false, [], [1], { $gt: 0 }, '1'.repeat(40), '\ud800',
  ).map((value) => ({ value, refuse: true })) },
);

const statuses = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('completed', 'approved', 'pending') },
  { weight: 1, arbitrary: fc.constantFrom('rejected', 'reversed', 'chargeback', 'COMPLETED', ' completed ') },
  { weight: 2, arbitrary: fc.oneof(nasty, fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', ''), longText(100, 400)) },
);
const ids = fc.oneof({ weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme-ascii' }).filter(safe) }, { weight: 1, arbitrary: nasty }, { weight: 1, arbitrary: longText(200, 300) });

const clickRef: fc.Arbitrary<ClickRef> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ pool: fc.constant('user' as const), fresh: fc.boolean(), slot: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ pool: fc.constant('friend' as const), slot: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.constant({ pool: 'none' as const }) },
);
/** A click id where the route wants one: the referenced click, or junk in its place. */
const clickIdText = (ref: ClickRef) => ref.pool === 'none'
  ? fc.oneof(fc.uuid(), nasty, longText(37, 300), fc.constantFrom('00000000-0000-0000-0000-000000000000', 'null', 'undefined', '1', '-1'))
  : fc.constant('@CLICK@');

const auth = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Record<string, string | string[]>>({ authorization: TOKENS.user }, { authorization: TOKENS.friend }) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string | string[]>>(
    {}, { authorization: 'Bearer' }, { authorization: 'Bearer nope' }, { authorization: 'Basic ZGVtbzpkZW1v' },
    { authorization: `${TOKENS.user} extra` }, { authorization: 'bearer demo-token' }, { authorization: [TOKENS.user, TOKENS.friend] },
    { authorization: 'Bearer __proto__' }, { authorization: 'Bearer constructor' },
  ) },
);

const contentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', 'application/octet-stream', '*/*', '');

const deepJson = fc.integer({ min: 50, max: 20_000 }).chain((depth) => fc.constantFrom(`${'['.repeat(depth)}${']'.repeat(depth)}`, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
const hugeJson = fc.integer({ min: 1_100_000, max: 1_600_000 }).map((size) => JSON.stringify({ taskUrl: 'https://example.com/', pad: 'x'.repeat(size) }));
const brokenJson = fc.constantFrom('{', '{"taskUrl":', '{"taskUrl":"https://example.com/"', 'nul', '[1,]', '{"a":1}{"b":2}', '\u0000', '{"taskUrl":"\\ud800"}', "{'taskUrl':'x'}", '{"__proto__":', Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('latin1'));

const taskUrls = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('https://example.com/offer', 'http://example.com/a?b=c#d', 'HTTPS://EXAMPLE.COM/X', 'https://例え.jp/パス', 'https://user:pass@example.com/', 'https://example.com:8443/x') },
  { weight: 3, arbitrary: fc.constantFrom(
    '  https://example.com/p  ', 'https:example.com/x', 'https:/example.com/x', 'https://example.com/a\tb', 'https://example.com/a\r\nSet-Cookie: x=1', 'https://exa\nmple.com/',
    '\thttps://example.com/', 'https://example.com/\u0000', 'https://example.com/\u007f', 'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd',
    '//example.com/x', '/relative', 'example.com', 'https://', 'https://[::1', 'http://[::1]/', 'https://example.com/\ud800', 'ftp://example.com/', 'https://example.com/%ZZ', '', ' ',
  ) },
  { weight: 1, arbitrary: longText(2000, 9000).map((path) => `https://example.com/${path}`) },
  { weight: 1, arbitrary: nasty.map((text) => `https://example.com/${text}`) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant(['https://example.com/']), fc.constant({ href: 'https://example.com/' })) },
);

const productIds = fc.oneof(
  { weight: 3, arbitrary: fc.constant('demo-product') },
  { weight: 2, arbitrary: longText(101, 300) },
  { weight: 2, arbitrary: nasty.filter((text) => text.length > 0) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'DEMO-PRODUCT', 'demo-product ', ' demo-product', 'demo%2Fproduct') },
);

const createClick: fc.Arbitrary<HostileRequest> = fc
  .record({ productId: productIds, headers: auth, contentType: contentTypes, taskUrl: taskUrls, shape: fc.nat(9), extra: nasty })
  .chain(({ productId, headers, contentType, taskUrl, shape, extra }) => {
    const bodies: fc.Arbitrary<string | Buffer> = [
      fc.constant(JSON.stringify({ taskUrl })),
      fc.constant(JSON.stringify({ taskUrl })),
      fc.constant(`{"__proto__":{"admin":true},"taskUrl":${JSON.stringify(taskUrl)},"constructor":{"prototype":{"x":1}}}`),
      fc.constant(JSON.stringify({ taskUrl, [extra]: extra, nested: { a: [extra, { b: extra }] } })),
      deepJson,
      hugeJson,
      brokenJson,
      fc.constantFrom('[]', '"https://example.com/"', '42', 'null', 'true', ''),
      fc.constant(new URLSearchParams({ taskUrl: typeof taskUrl === 'string' ? taskUrl : String(taskUrl) }).toString()),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    ][shape]!;
    return bodies.map((body): HostileRequest => ({
      route: 'createClick',
      label: `POST /products/${productId.slice(0, 30)}…(${productId.length})/click shape ${shape}`,
      method: 'POST',
      path: `/products/${encodeAny(productId)}/click`,
      query: '',
      headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) },
      body,
      click: { pool: 'none' },
      // An id over 256 characters is a 400 (a body over the limit may be refused first: 413).
      expect: productId.length > 256 && shape !== 5 ? { status: 400 } : {},
    }));
  });

const track: fc.Arbitrary<HostileRequest> = clickRef.chain((ref) =>
  fc.record({ id: clickIdText(ref), redirect: fc.constantFrom('', 'redirect=1', 'redirect=true', 'redirect=0', 'redirect=1&redirect=0', 'redirect[$ne]=1', 'redirect=2', 'redirect=%00', '__proto__[x]=1') })
    .map(({ id, redirect }): HostileRequest => ({
      route: 'track', label: `GET /track ${ref.pool} ?${redirect}`, method: 'GET',
      path: `/track/${id === '@CLICK@' ? id : encodeAny(id)}`, query: redirect, headers: {}, click: ref, expect: {},
    })));

const postback: fc.Arbitrary<HostileRequest> = clickRef.chain((ref) =>
  fc.record({
    id: clickIdText(ref),
    amount: amounts,
    status: statuses,
    conversionId: ids,
    transactionId: fc.option(ids, { nil: undefined }),
    placement: fc.constantFrom('get', 'json', 'form', 'form-json', 'text', 'query+json', 'octet'),
    queryNoise: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.constantFrom('&click_id[$ne]=x', '&click_id=@CLICK@&click_id=other', '&__proto__[admin]=1', '&constructor[prototype][x]=1', '&amount[]=1', '&status[$gt]=', '&&&', '&=', '&%00=%00', '&amount=1&amount=2') }),
    contentType: fc.option(contentTypes, { nil: undefined }),
  }).map(({ id, amount, status, conversionId, transactionId, placement, queryNoise, contentType }): HostileRequest => {
    const fields: Record<string, unknown> = { status, conversionId };
    if (!amount.absent) fields.amount = amount.value;
    if (transactionId !== undefined) fields.transactionId = transactionId;
    const clickParam = `click_id=${id === '@CLICK@' ? id : encodeAny(id)}`;
    const formOf = (record: Record<string, unknown>) => Object.entries(record)
      .map(([key, value]) => `${encodeAny(key)}=${encodeAny(value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value))}`).join('&');
    const scalarFields = Object.values(fields).every((value) => value === null || ['string', 'number', 'boolean'].includes(typeof value));
    let query = `${clickParam}${queryNoise}`;
    let body: string | undefined;
    let type: string | undefined;
    switch (placement) {
      case 'get':
        query = `${clickParam}&${formOf(fields)}${queryNoise}`;
        break;
      case 'json':
      case 'query+json':
        body = JSON.stringify(placement === 'json' ? fields : { ...fields, click_id: id });
        type = contentType ?? 'application/json';
        break;
      case 'form':
        body = formOf(fields);
        type = contentType ?? 'application/x-www-form-urlencoded';
        break;
      case 'form-json': // a JSON body sent as form-encoded: its fields cannot be read
        body = JSON.stringify(fields);
        type = 'application/x-www-form-urlencoded';
        break;
      case 'text':
        body = JSON.stringify(fields);
        type = contentType ?? 'text/plain';
        break;
      case 'octet':
        body = formOf(fields);
        type = 'application/octet-stream';
        break;
    }
    // What must come of it. The refusals hold whatever the click; a credit's amount only on a fresh click.
    const noisy = queryNoise !== '' && queryNoise !== '&&&' && queryNoise !== '&='; // a query object or repeated key is a 400
    const readable = placement === 'get' || ((placement === 'json' || placement === 'query+json') && (type ?? '').startsWith('application/json') && !type?.includes('utf-16')) || (placement === 'form' && type === 'application/x-www-form-urlencoded');
    const expect: HostileRequest['expect'] = {};
    if (placement === 'form-json') expect.noSuccess = true;
    if (ref.pool === 'friend' || ref.pool === 'none') expect.noSuccess = true;
    if (amount.refuse && readable && scalarFields && !noisy) expect.status = 400;
    if (!amount.refuse && amount.minor !== undefined && readable && !noisy) expect.amountMinor = amount.minor;
    return {
      route: 'postback',
      label: `${placement === 'get' ? 'GET' : 'POST'} /postback ${placement} ${type ?? ''} amount=${JSON.stringify(amount.value)?.slice(0, 30)} status=${JSON.stringify(status).slice(0, 20)} noise=${queryNoise}`,
      method: placement === 'get' ? 'GET' : 'POST',
      path: '/postback',
      query,
      headers: type ? { 'content-type': type } : {},
      ...(body === undefined ? {} : { body: placement === 'octet' ? Buffer.from(body) : body }),
      click: ref,
      expect,
    };
  }));

/** Postbacks meant for the friend's clicks must never pay: only refusals are sent there. */
const friendSafePostback = postback.filter((request) => request.click.pool !== 'friend' || request.expect.status === 400 || request.label.includes('form-json'));

const getClick: fc.Arbitrary<HostileRequest> = clickRef.chain((ref) =>
  fc.record({ id: clickIdText(ref), headers: auth }).map(({ id, headers }): HostileRequest => ({
    route: 'getClick', label: `GET /clicks ${ref.pool}`, method: 'GET', path: `/clicks/${id === '@CLICK@' ? id : encodeAny(id)}`, query: '', headers, click: ref, expect: {},
  })));

const cursors = fc.oneof(
  fc.constantFrom('OTk5OTk5OTk5OTk5OTk5Ong', 'OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5Ong'),
  fc.constantFrom('OTk5OTk5OTk5OTk5OTk5Ong', 'LTk5OTk5OTk5OTk5OTk5Ong', 'MDow', 'OjA', '', '=', '%00', 'null', '__proto__', 'eyJhIjoxfQ', 'AAAA', '////', 'OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5Ong'),
  fc.string({ unit: 'binary', maxLength: 60 }).filter(safe).map((text) => Buffer.from(text).toString('base64url')),
  fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.oneof(fc.uuid(), nasty)).filter(([, id]) => safe(id)).map(([ms, id]) => Buffer.from(`${ms}:${id}`).toString('base64url')),
  nasty,
  longText(500, 1200),
);
const earnings: fc.Arbitrary<HostileRequest> = fc
  .record({ cursor: fc.option(cursors, { nil: undefined }), limit: fc.option(fc.constantFrom('1', '100', '0', '-1', '1000', '1e3', 'abc', '٣', '', ' 5', '5 ', '01', '999', '3.5'), { nil: undefined }), noise: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('&cursor=a&cursor=b', '&limit=1&limit=2', '&cursor[$gt]=', '&limit[]=1') }), headers: auth })
  .map(({ cursor, limit, noise, headers }): HostileRequest => {
    const parts = [cursor === undefined ? null : `cursor=${encodeAny(cursor)}`, limit === undefined ? null : `limit=${encodeAny(limit)}`].filter(Boolean);
    const signedIn = headers.authorization === TOKENS.user || headers.authorization === TOKENS.friend;
    const limitOk = limit === undefined || /^\d{1,3}$/.test(limit);
    // A cursor no store can represent is malformed input (400, never a 503 "retry"); a plain read is 200.
    const expected = !signedIn || noise !== '' || !limitOk ? {} : cursor === undefined ? (limit === undefined || limit === '1' || limit === '100' ? { status: 200 } : {}) : cursor.startsWith('OTk5OTk5') ? { status: 400 } : {};
    return {
      route: 'earnings', label: `GET /earnings cursor=${cursor?.slice(0, 30)} limit=${limit} ${noise}`, method: 'GET', path: '/earnings', query: `${parts.join('&')}${noise}`, headers, click: { pool: 'none' },
      expect: expected,
    };
  });

const wallet: fc.Arbitrary<HostileRequest> = fc.record({ headers: auth, query: fc.constantFrom('', 'userId=demo-friend', 'userId[$ne]=x', '__proto__[x]=1') }).map(({ headers, query }) => ({
  route: 'wallet' as const, label: `GET /wallet ?${query}`, method: 'GET' as const, path: '/wallet', query, headers, click: { pool: 'none' as const }, expect: {},
}));

/** Every route, postbacks weighted up (they move money). */
export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  { weight: 3, arbitrary: createClick },
  { weight: 1, arbitrary: track },
  { weight: 6, arbitrary: friendSafePostback },
  { weight: 1, arbitrary: getClick },
  { weight: 2, arbitrary: earnings },
  { weight: 1, arbitrary: wallet },
);
