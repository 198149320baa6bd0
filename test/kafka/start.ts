/**
 * `npm run kafka`: starts the same single-node Kafka broker that the Kafka tests use, for demos and for
 * running the tests against a long-lived broker (`RIVULET_KAFKA_BOOTSTRAP=127.0.0.1:PORT`). Runs until
 * Ctrl-C (SIGINT) or SIGTERM, then stops the broker and deletes its data.
 */
import { BrokerStartError, startBroker, tailOfFile } from './broker.ts';

async function main(): Promise<void> {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  try {
    broker = await startBroker({ onProgress: (message) => console.log(message) });
  } catch (error) {
    if (error instanceof BrokerStartError && error.logFile !== undefined) {
      console.error(`Last lines of ${error.logFile}:\n${tailOfFile(error.logFile)}`);
    }
    throw error;
  }
  console.log(`Kafka broker ready at ${broker.bootstrap} (started in ${broker.startMs} ms)`);
  console.log(`Broker log: ${broker.logFile}`);
  console.log(`Broker data: ${broker.workDir} (deleted when the broker stops)`);
  console.log('Press Ctrl-C to stop.');

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    console.log(`\n${signal}: stopping the Kafka broker...`);
    await broker.stop();
    console.log('Kafka broker stopped.');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
