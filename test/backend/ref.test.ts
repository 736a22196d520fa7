// The backend conformance suite (conformance.case.ts) on the TypeScript reference backend, fed float32 arrays.
import { getBackendByName } from '../../src/backend/index.js';
import { runBackendSuite } from './conformance.case.js';

runBackendSuite('ref', () => getBackendByName('ref'));
