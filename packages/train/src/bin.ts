#!/usr/bin/env node
import { stageMain } from '@graft/core/base';
import { trainDefinition } from './definition.js';

await stageMain(trainDefinition);
