#!/usr/bin/env node
import { stageMain } from '@graft/core/base';
import { similarityDefinition } from './definition.js';

await stageMain(similarityDefinition);
