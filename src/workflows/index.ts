// Every workflow the worker registers (the bundle's entry point).
export { backupContainer } from './backup-container';
