// Every workflow the worker registers (the bundle's entry point).
export { backupContainer } from './backup-container';
export { backupContainerPage } from './backup-page';
export { reconcileContainer } from './reconcile-container';
