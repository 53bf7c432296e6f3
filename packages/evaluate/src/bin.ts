#!/usr/bin/env node
import { stageMain } from '@graft/core';
import { evaluateDefinition } from './definition.js';

await stageMain(evaluateDefinition);
