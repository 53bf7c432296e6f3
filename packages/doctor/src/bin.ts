#!/usr/bin/env node
import { stageMain } from '@graft/core/base';
import { doctorDefinition } from './definition.js';

await stageMain(doctorDefinition);
