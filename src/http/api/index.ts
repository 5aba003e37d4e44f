import express from 'express';
import type { Router } from 'express';
import type { AppContext } from '../../app.js';
import type { DeliveryEngine } from '../../engine.js';

export interface ApiDeps {
  app: AppContext;
  engine: DeliveryEngine;
}

/** The REST API under /api/v1 (bearer-authenticated by the caller). */
export function apiRouter(_deps: ApiDeps): Router {
  return express.Router();
}
