#!/usr/bin/env node
import { stageMain } from '@graft/core';
import { extractDefinition } from './definition.js';

await stageMain(extractDefinition);
