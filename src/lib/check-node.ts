// Imported first by every entry point (worker, CLI, dev, demo, tests, bench): the Node.js version check.
import { checkNodeAtStart } from './node-support';

checkNodeAtStart();
