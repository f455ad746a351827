import { randomBytes } from 'node:crypto';
import { appServices } from './app-services';
import { registerDurableFunctions } from './durable-registrations';

/** The app's orchestrations and activities, over the real adapters of the composition root. */
registerDurableFunctions({
  ports: (durableClient) => appServices().activityPorts(durableClient),
  log: () => appServices().log,
  newReference: () => randomBytes(4).toString('hex'),
});
