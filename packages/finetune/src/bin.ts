#!/usr/bin/env node
import { stageMain } from '@graft/core/base';
import { finetuneDefinition } from './definition.js';

await stageMain(finetuneDefinition);
