/** The local HubSpot stand-in lives with the demo (it ships, so `demo --hubspot` runs without an account). */
export * from '../../src/demo/hubspot-stand-in.js';
