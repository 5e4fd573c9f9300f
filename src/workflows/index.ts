// Every workflow the worker registers (the bundle's entry point).
export { backupContainer } from './backup-container';
export { backupContainerPage } from './backup-page';
export { reconcileContainer } from './reconcile-container';
export { restoreContainer } from './restore-container';
export { restoreContainerPage } from './restore-page';
export { applyRetention } from './apply-retention';
export { restoreDrill } from './restore-drill';
export { scrubBackup, scrubBackupPage } from './scrub-backup';
export { backupCosmosContainer, restoreCosmos } from './backup-cosmos';
export { exportDocumentWindow } from './export-window';
export { backupMongoCollection, restoreMongo } from './backup-mongo';
export { applyPipelineRetention, restorePipelineBackup, runBackupPipeline } from './backup-pipeline';
export { backupTrigger } from './backup-trigger';
