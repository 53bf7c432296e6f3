#!/usr/bin/env node
import { stageMain } from '@graft/core';
import { trainDefinition } from './definition.js';

await stageMain(trainDefinition);
