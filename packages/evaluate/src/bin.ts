#!/usr/bin/env node
import { stageMain } from '@graft/core/base';
import { evaluateDefinition } from './definition.js';

await stageMain(evaluateDefinition);
