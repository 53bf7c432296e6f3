#!/usr/bin/env node
import { stageMain } from '@graft/core/base';
import { splitDefinition } from './definition.js';

await stageMain(splitDefinition);
