/** Writes docs/openapi.json from the route table (`npm run openapi`). A unit test keeps it fresh. */
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../adapters/http/openapi.js';

writeFileSync('docs/openapi.json', `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log('wrote docs/openapi.json');
