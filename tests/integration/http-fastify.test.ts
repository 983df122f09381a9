import { describe } from 'vitest';
import { runHttpContract } from '../support/http-contract.js';
import { fastifyTarget, memoryStore, pgliteStore, postgresStore } from '../support/http-targets.js';
import { postgresAvailable } from '../support/services.js';

runHttpContract(fastifyTarget, memoryStore);
runHttpContract(fastifyTarget, pgliteStore);
if (await postgresAvailable()) runHttpContract(fastifyTarget, postgresStore);
else describe.skip('HTTP contract on the Postgres server (unreachable)', () => undefined);
