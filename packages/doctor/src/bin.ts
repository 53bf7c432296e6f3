#!/usr/bin/env node
import { stageMain } from '@graft/core';
import { doctorDefinition } from './definition.js';

await stageMain(doctorDefinition);
