#!/usr/bin/env node
import { stageMain } from '@graft/core';
import { splitDefinition } from './definition.js';

await stageMain(splitDefinition);
