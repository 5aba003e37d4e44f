export { createSimulatorGateway } from './simulator-gateway.js';
export type { SimulatorDeps, SimulatorGateway, SimulatorStats } from './simulator-gateway.js';
export { DEFAULT_REPLY_TEXTS, GATEWAY_ERROR_CODES, simulatedFailureSchema, simulatorConfigSchema } from './config.js';
export type { SimulatedFailure, SimulatorConfig, SimulatorConfigInput } from './config.js';
export { planOutcome } from './plan-outcome.js';
export type { MessagePlan } from './plan-outcome.js';
