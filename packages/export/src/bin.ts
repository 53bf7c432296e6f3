#!/usr/bin/env node
import { stageMain } from '@graft/core';
import { exportDefinition } from './definition.js';

await stageMain(exportDefinition);
