#!/usr/bin/env node
import { stageMain } from '@graft/core';
import { similarityDefinition } from './definition.js';

await stageMain(similarityDefinition);
