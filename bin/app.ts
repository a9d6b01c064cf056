#!/usr/bin/env node
// CDK app of the radiomics platform. Synthesizes offline: `npx cdk synth` (configuration in cdk.json context).
import { buildRadiomicsApp } from '../lib/radiomics-app';

const { app } = buildRadiomicsApp();
app.synth();
