#!/usr/bin/env node
import { stageMain } from '@graft/core/base';
import { exportDefinition } from './definition.js';

await stageMain(exportDefinition);
