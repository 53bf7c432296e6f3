#!/usr/bin/env node
import { stageMain } from '@graft/core/base';
import { extractDefinition } from './definition.js';

await stageMain(extractDefinition);
