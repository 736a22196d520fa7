// The backend conformance suite (conformance.case.ts) on the native C++ backend, plus its bad-input checks.
import { getBackendByName } from '../../src/backend/index.js';
import { runBackendSuite, runNativeInputChecks } from './conformance.case.js';

runBackendSuite('native', () => getBackendByName('native'));
runNativeInputChecks(() => getBackendByName('native'));
