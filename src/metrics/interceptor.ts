// The one seam metrics are collected through: a Temporal activity interceptor sees every activity's
// input and, once it has succeeded, its result. Failed attempts are not counted here (a retried page
// is counted once, when it succeeds; the runtime's `temporal_activity_execution_failed` counts the
// failures). Measuring never fails or delays an activity: a surprise in a result is logged and dropped.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { AzbackupMetrics } from './azbackup-metrics';

export function metricsInterceptor(metrics: AzbackupMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        try {
          metrics.observe(ctx.info.activityType, input.args[0], result);
        } catch (err) {
          ctx.log.warn('metrics: could not record an activity result', {
            activityType: ctx.info.activityType,
            error: err instanceof Error ? err.message : String(err),
          });
        }
        return result;
      },
    },
  });
}
