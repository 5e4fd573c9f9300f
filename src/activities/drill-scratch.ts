// The scratch container of a restore drill: created by the drill and removed by it afterwards. Since the
// drill deletes it in a `finally`, a wrong name would delete real data: the backup container, the source
// or anyone's existing container. So it must be new, it is tagged with the drill's key when created, and
// only a container carrying that tag is ever deleted.
import type { CatalogLocation } from '../catalog/queries';
import { sameAccount } from '../domain/account-url';
import { InvalidInputError } from '../domain/failures';
import type { ConnectionRegistry } from '../storage/connections';
import { statusCodeOf, unlessNotFound } from '../storage/errors';
import { defineActivity } from './toolkit';

/** Container metadata naming the drill that created the container (metadata names are lowercase). */
export const DRILL_TAG = 'azbackupdrill';

export interface DrillScratch {
  connection: string;
  container: string;
  /** The drill's key: the tag its scratch container carries. */
  drillKey: string;
}

export interface PrepareDrillScratchInput extends CatalogLocation {
  scratch: DrillScratch;
  liveSource?: string;
}

export function createDrillScratchActivities(connections: ConnectionRegistry) {
  return {
    /** Checks the scratch container is none of the drill's data and does not exist, then creates it, tagged. */
    prepareDrillScratch: defineActivity(connections, async (input: PrepareDrillScratchInput, tools): Promise<void> => {
      const { signal } = tools;
      const { connection, container, drillKey } = input.scratch;
      const scratch = tools.blob(connection, 'scratch.connection');
      const backup = tools.blob(input.backup, 'backup');
      const where = `${scratch.accountName}/${container}`;
      const reject = (why: string) =>
        new InvalidInputError(
          'scratch.container',
          `scratch.container: ${where} ${why}; the drill creates its scratch container and deletes it afterwards, ` +
            'so name a new container (or leave it out)',
          { field: 'scratch.container', value: container },
        );
      if (sameAccount(scratch.service.url, backup.service.url) && container === input.backupContainer)
        throw reject('is the backup container');
      // The catalog names the source by account name; the live source connection, when given, by endpoint.
      const live = input.liveSource ? tools.blob(input.liveSource, 'liveSource') : undefined;
      if (
        container === input.source.container &&
        (scratch.accountName === input.source.account || (live && sameAccount(scratch.service.url, live.service.url)))
      )
        throw reject('is the source container');
      const client = scratch.service.getContainerClient(container);
      const existing = await unlessNotFound(client.getProperties({ abortSignal: signal }));
      if (existing && existing.metadata?.[DRILL_TAG] !== drillKey) throw reject('already exists');
      if (existing) return; // created by an earlier attempt of this drill
      // The only write, after every check has passed.
      try {
        await client.create({ metadata: { [DRILL_TAG]: drillKey }, abortSignal: signal });
      } catch (err) {
        if (statusCodeOf(err) !== 409) throw err;
        // Someone created it since the check (or an earlier attempt did, its answer lost): ours only if tagged so.
        const found = await unlessNotFound(client.getProperties({ abortSignal: signal }));
        if (found?.metadata?.[DRILL_TAG] !== drillKey) throw reject('already exists');
      }
    }),

    /** Deletes the scratch container only if this drill created it (it carries the drill's tag). */
    deleteScratch: defineActivity(connections, async (input: DrillScratch, tools): Promise<{ deleted: boolean }> => {
      const { signal } = tools;
      const scratch = tools.blob(input.connection, 'scratch.connection');
      const client = scratch.service.getContainerClient(input.container);
      const existing = await unlessNotFound(client.getProperties({ abortSignal: signal }));
      if (!existing) return { deleted: false };
      if (existing.metadata?.[DRILL_TAG] !== input.drillKey) {
        tools.log.warn('Scratch container not created by this drill: left alone', {
          container: `${scratch.accountName}/${input.container}`,
        });
        return { deleted: false };
      }
      await client.deleteIfExists({ abortSignal: signal });
      return { deleted: true };
    }),
  };
}
