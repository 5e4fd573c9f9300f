// Forgetting runs under a retention policy: the policy decides (src/domain), then two protections the
// policy cannot override: the newest run stays (the next incremental is classified against it), and so
// does every run holding the newest verified copy of a live blob. A plan blob records every decision.
import { writeJson } from '../catalog/ndjson-blob';
import { openCatalog, requireRuns, type CatalogLocation } from '../catalog/queries';
import { writeSnapshotLedger } from '../catalog/snapshot-ledger';
import type { CatalogStore } from '../catalog/store';
import { catalogPaths } from '../domain/catalog-layout';
import { isTombstone } from '../domain/catalog-record';
import { applyRetentionPolicy, type RetentionPolicy } from '../domain/retention-policy';
import type { RunManifest } from '../domain/run-manifest';
import type { ConnectionRegistry } from '../storage/connections';
import { unlessNotFound } from '../storage/errors';
import { defineActivity } from './toolkit';

export interface ForgetRunsInput extends CatalogLocation {
  policy: RetentionPolicy;
  retentionKey: string;
  dryRun: boolean;
}

export interface RetentionPlan {
  policy: RetentionPolicy;
  dryRun: boolean;
  keep: { key: string; reasons: string[] }[];
  remove: string[];
}

export interface ForgetRunsResult {
  plan: string;
  kept: number;
  removed: number;
  /** The first 100 removed run keys (all of them are in the plan blob). */
  removedRuns: string[];
}

export function createRetentionActivities(connections: ConnectionRegistry) {
  return {
    forgetRuns: defineActivity(connections, async (input: ForgetRunsInput, tools): Promise<ForgetRunsResult> => {
      const { signal } = tools;
      const store = openCatalog(tools.blob(input.backup, 'backup'), input);
      const manifests = await requireRuns(store, input.source, signal); // before the plan is written
      const decision = applyRetentionPolicy(
        manifests.map((m) => ({ key: m.runKey, time: m.startedAt })),
        input.policy,
      );
      const protectedRuns = await runsToProtect(store, manifests, signal);
      const keep = new Map(decision.keep.map((k) => [k.key, k.reasons]));
      for (const [key, reason] of protectedRuns) keep.set(key, [...(keep.get(key) ?? []), reason]);
      const plan: RetentionPlan = {
        policy: input.policy,
        dryRun: input.dryRun,
        keep: [...keep].map(([key, reasons]) => ({ key, reasons })).sort((a, b) => (a.key < b.key ? 1 : -1)),
        remove: decision.remove.filter((k) => !keep.has(k)),
      };
      const planBlob = store.container.getBlockBlobClient(catalogPaths.retentionPlan(store.scope, input.retentionKey));
      await writeJson(planBlob, plan, { abortSignal: signal });
      if (!input.dryRun) {
        // Their snapshots on the source stay azbackup's to prune after the runs' catalogs are gone.
        await writeSnapshotLedger(store, plan.remove, `${input.retentionKey}-forgotten`, signal);
        for (const key of plan.remove) {
          await unlessNotFound(
            store.container.deleteBlob(catalogPaths.manifest(store.scope, key), { abortSignal: signal }),
          );
          tools.heartbeat();
        }
      }
      return {
        plan: planBlob.name,
        kept: plan.keep.length,
        removed: plan.remove.length,
        removedRuns: plan.remove.slice(0, 100),
      };
    }),
  };
}

/**
 * The newest run, the newest verified run, and for each live blob whose newest record is unverified, the
 * newest run with a verified one: whatever the policy says, the newest state and the newest state known
 * good stay restorable.
 */
async function runsToProtect(
  store: CatalogStore,
  manifests: RunManifest[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const protect = (key: string, reason: string) => out.set(key, out.has(key) ? `${out.get(key)}; ${reason}` : reason);
  const newest = manifests.at(-1);
  if (!newest) return out;
  protect(newest.runKey, 'newest run');
  const newestVerified = manifests.filter((m) => m.verified).at(-1);
  if (newestVerified && newestVerified !== newest) protect(newestVerified.runKey, 'newest verified run');
  const pending = new Set<string>();
  for await (const r of store.records(newest.runKey, {}, signal))
    if (!isTombstone(r) && !r.verified) pending.add(r.name);
  for (const m of manifests.slice(0, -1).reverse()) {
    if (pending.size === 0) break;
    let held = 0;
    for await (const r of store.records(m.runKey, {}, signal)) {
      if (pending.has(r.name) && !isTombstone(r) && r.verified) {
        pending.delete(r.name);
        held++;
      }
    }
    if (held) protect(m.runKey, `newest verified copy of ${held} live blob(s)`);
  }
  return out;
}
