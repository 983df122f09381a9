/**
 * The reliability suite: black-box scenarios against the example servers over real HTTP (and
 * one in-process crash test), on PGlite, the Postgres server and Redis, Express and Fastify.
 *
 *   npm run test:reliability              full mode (on demand)
 *   npm run test:reliability -- --quick   quick mode (CI)
 *   ... -- --only=storm,fuzz              only the cases whose name contains one of these
 *
 * Each case prints one line with its figures; the run ends with `N passed, N failed` and exits 1
 * on any failure. Every child process is killed on the way out, failures included.
 */
import { killAllChildren } from './support/processes.js';
import { formatFigures, type Case, type Mode } from './support/scenario.js';
import { stormCases } from './scenarios/duplicate-storm.js';
import { killCases } from './scenarios/kill-mid-storm.js';
import { outageCases } from './scenarios/store-outage.js';
import { fuzzCases } from './scenarios/fuzz.js';
import { soakCases } from './scenarios/soak.js';
import { crashStepCases } from './scenarios/crash-every-step.js';

const args = process.argv.slice(2);
const mode: Mode = { quick: args.includes('--quick') };
const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',').filter(Boolean) ?? [];

const all: Case[] = [...stormCases(), ...killCases(), ...outageCases(), ...fuzzCases(), ...soakCases(), ...crashStepCases()];
const selected = all
  .filter((c) => !(mode.quick && c.fullOnly))
  .filter((c) => only.length === 0 || only.some((word) => c.name.includes(word)));

const started = Date.now();
console.log(`reliability suite, ${mode.quick ? 'quick' : 'full'} mode: ${selected.length} cases`);
let passed = 0;
let failed = 0;
for (const testCase of selected) {
  const caseStarted = Date.now();
  let line: string;
  let problems: string[];
  try {
    const outcome = await testCase.run(mode);
    line = formatFigures(outcome.figures);
    problems = outcome.problems;
  } catch (error) {
    line = 'crashed';
    problems = [error instanceof Error ? (error.stack ?? error.message) : String(error)];
  } finally {
    killAllChildren();
  }
  const seconds = ((Date.now() - caseStarted) / 1000).toFixed(1);
  const ok = problems.length === 0;
  if (ok) passed += 1;
  else failed += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${testCase.name}: ${line} (${seconds} s)`);
  for (const text of problems) console.log(`     - ${text.replace(/\n/g, '\n       ')}`);
}
console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
