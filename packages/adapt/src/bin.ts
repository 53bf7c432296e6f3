#!/usr/bin/env node
import { stageMain } from '@graft/core/base';
import { adaptDefinition } from './definition.js';

await stageMain(adaptDefinition);
