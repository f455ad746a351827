/**
 * The function app's entry point (package.json "main"): the Functions host and the local host both load this,
 * so both run the same registrations. Configuration is validated here, at start: a missing setting stops the app
 * with a message that names it, instead of failing the first message.
 */
import { appServices } from './app-services';

appServices();

import './messages';
import './durable-functions';
import './retire-outbound';
import './expiry-report';
import './key-vault-events';
