import { describe } from 'vitest';
import { runHttpContract } from '../support/http-contract.js';
import { expressTarget, memoryStore, pgliteStore, postgresStore } from '../support/http-targets.js';
import { postgresAvailable } from '../support/services.js';

runHttpContract(expressTarget, memoryStore);
runHttpContract(expressTarget, pgliteStore);
if (await postgresAvailable()) runHttpContract(expressTarget, postgresStore);
else describe.skip('HTTP contract on the Postgres server (unreachable)', () => undefined);
