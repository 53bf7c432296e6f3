#!/usr/bin/env node
import { stageMain } from '@graft/core';
import { finetuneDefinition } from './definition.js';

await stageMain(finetuneDefinition);
