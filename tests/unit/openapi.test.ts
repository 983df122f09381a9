import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from 'clickcredit/express';

describe('docs/openapi.json', () => {
  it('is what the route table generates now (run `npm run openapi` after changing a route or schema)', () => {
    const committed = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('documents every route of the contract with its success status', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/products/{productId}/click']!.post!.responses)).toContain('201');
    expect(Object.keys(doc.paths['/postback']!)).toEqual(['post', 'get']);
    for (const path of ['/track/{clickId}', '/clicks/{clickId}', '/earnings', '/wallet']) expect(doc.paths[path]?.get).toBeDefined();
  });
});
