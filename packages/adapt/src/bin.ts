#!/usr/bin/env node
import { stageMain } from '@graft/core';
import { adaptDefinition } from './definition.js';

await stageMain(adaptDefinition);
