/**
 * Vitest globalSetup of the `kafka` project: starts one real Kafka broker (see broker.ts) for every
 * Kafka test file and stops it when the run ends, whatever the outcome. Tests read its address with
 * `inject('kafkaBootstrap')`.
 *
 * With RIVULET_KAFKA_BOOTSTRAP set (e.g. `127.0.0.1:9092`, or a broker from `npm run kafka`), nothing is
 * started and the tests use that cluster.
 */
import type { TestProject } from 'vitest/node';
import { BrokerStartError, startBroker, tailOfFile } from './broker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBootstrap: string;
  }
}

const TAIL_LINES = 60;

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env['RIVULET_KAFKA_BOOTSTRAP'];
  if (external !== undefined && external !== '') {
    console.log(`[kafka] using the cluster at ${external} (RIVULET_KAFKA_BOOTSTRAP); starting none`);
    project.provide('kafkaBootstrap', external);
    return undefined;
  }

  let broker: Awaited<ReturnType<typeof startBroker>>;
  try {
    broker = await startBroker({ onProgress: (message) => console.log(`[kafka] ${message}`) });
  } catch (error) {
    if (error instanceof BrokerStartError && error.logFile !== undefined) {
      console.error(
        `[kafka] the broker failed to start; last lines of ${error.logFile}:\n${tailOfFile(error.logFile, TAIL_LINES)}`,
      );
    }
    throw error;
  }
  console.log(`[kafka] broker ready at ${broker.bootstrap} in ${broker.startMs} ms (log: ${broker.logFile})`);
  project.provide('kafkaBootstrap', broker.bootstrap);

  return async () => {
    const failed = project.vitest.state.getFailedFilepaths().filter((path) => path.includes('/test/kafka/'));
    await broker.stop();
    if (failed.length > 0) {
      console.error(
        `[kafka] Kafka tests failed; last lines of the broker's log ${broker.logFile}:\n${tailOfFile(broker.logFile, TAIL_LINES)}`,
      );
    }
  };
}
