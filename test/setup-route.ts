// Every jest test file starts with api.stripe.com refused: no test reaches the real Stripe. A test
// file's emulator (useEmulator, or routeStripeTo) then takes its connections; see route-stripe.js.
import { routeStripeTo } from './route-stripe';

routeStripeTo(undefined);
