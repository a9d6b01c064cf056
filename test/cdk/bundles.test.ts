// The core layer and the function bundles in the cloud assembly: layout, externals and that they load.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_FUNCTIONS, type FunctionName } from '../../lib/function-catalogue';
import { FUNCTIONS_DIRECTORY, REPOSITORY_ROOT } from '../../lib/paths';
import { contractFiles, logicalIdOf, synthesizeRadiomics } from './synth';

const { stack, templateJson, outdir } = synthesizeRadiomics({ nag: false });

/** Folder of a Lambda asset in the cloud assembly, from the S3 key `<hash>.zip` of the resource. */
function assetDirectory(s3Key: string): string {
  return path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
}

const layerResource = templateJson.Resources[logicalIdOf(stack, stack.node.findChild('CoreLayer').node.findChild('Layer'))]!;
const layerDirectory = assetDirectory(layerResource.Properties!.Content.S3Key as string);
const coreDirectory = path.join(layerDirectory, 'nodejs', 'node_modules', '@radiomics', 'core');

/** Checks that `@radiomics/core/<sub-path>` resolves to a file of the layer, as Node.js resolves it there. */
function layerHasModule(specifier: string): boolean {
  const subpath = specifier.slice('@radiomics/core/'.length);
  return [`${subpath}.js`, `${subpath}/index.js`].some((candidate) => fs.existsSync(path.join(coreDirectory, candidate)));
}

function bundleDirectory(name: FunctionName): string {
  const resource = templateJson.Resources[logicalIdOf(stack, stack.functions.get(name))]!;
  return assetDirectory(resource.Properties!.Code.S3Key as string);
}

/**
 * Bare module names a CommonJS bundle still requires at run time. A `require(...)` inside a quoted string is
 * skipped: Ajv keeps such strings as source text for standalone code generation, and they never execute.
 */
function requiredModules(bundleText: string): string[] {
  const names = [...bundleText.matchAll(/(?<!['`])require\("([^"./][^"]*)"\)/g)].map((match) => match[1]!);
  return [...new Set(names)].sort();
}

const landedFunctions = ALL_FUNCTIONS.filter((name) => fs.existsSync(path.join(FUNCTIONS_DIRECTORY, name, 'index.ts')));

describe('core layer', () => {
  it('holds the bundled core, params and models', () => {
    expect(fs.existsSync(path.join(coreDirectory, 'index.js'))).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(coreDirectory, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@radiomics/core', main: 'index.js' });
    expect(fs.readdirSync(path.join(layerDirectory, 'params')).length).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(layerDirectory, 'models')).length).toBeGreaterThan(0);
  });

  it('ships every parameter file and model of the repository', () => {
    for (const folder of ['params', 'models']) {
      const source = path.join(REPOSITORY_ROOT, folder);
      if (!fs.existsSync(source) || fs.readdirSync(source).length === 0) continue;
      for (const file of fs.readdirSync(source)) {
        expect(fs.existsSync(path.join(layerDirectory, folder, file)), `${folder}/${file}`).toBe(true);
      }
    }
  });

  it('loads with require() from /opt/nodejs/node_modules', () => {
    const probe = spawnSync(
      process.execPath,
      ['-e', "const core = require('@radiomics/core'); process.stdout.write(JSON.stringify(Object.keys(core)));"],
      { cwd: layerDirectory, env: { PATH: process.env.PATH, NODE_PATH: path.join(layerDirectory, 'nodejs', 'node_modules') }, encoding: 'utf8' },
    );
    expect(probe.stderr).toBe('');
    expect(probe.status).toBe(0);
    expect(JSON.parse(probe.stdout)).toContain('RadiomicsError');
  });

  it('sub-paths resolve to the same module instances as the package root', () => {
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        [
          "const root = require('@radiomics/core');",
          "const errors = require('@radiomics/core/errors');",
          "const catalogue = require('@radiomics/core/errors/catalogue');",
          'process.stdout.write(JSON.stringify({ same: errors.RadiomicsError === root.RadiomicsError, catalogue: Object.keys(catalogue).length > 0 }));',
        ].join(' '),
      ],
      { cwd: layerDirectory, env: { PATH: process.env.PATH, NODE_PATH: path.join(layerDirectory, 'nodejs', 'node_modules') }, encoding: 'utf8' },
    );
    expect(probe.stderr).toBe('');
    expect(JSON.parse(probe.stdout)).toEqual({ same: true, catalogue: true });
  });

  it('core bundle requires only Node.js built-ins and the packages shipped beside it', () => {
    const shipped = fs.readdirSync(path.join(layerDirectory, 'nodejs', 'node_modules'), { recursive: true }).map(String);
    for (const name of requiredModules(fs.readFileSync(path.join(coreDirectory, 'index.js'), 'utf8'))) {
      const isBuiltin = builtinModules.includes(name.replace(/^node:/, ''));
      expect(isBuiltin || shipped.some((entry) => name.startsWith(entry.split(path.sep).slice(0, 2).join('/'))), name).toBe(true);
    }
  });
});

describe('function bundles', () => {
  it('at least the pipeline handlers have landed', () => {
    expect(landedFunctions.length).toBeGreaterThan(0);
  });

  it.each(landedFunctions)('%s leaves the core and the AWS SDK external', (name) => {
    const directory = bundleDirectory(name);
    const bundle = fs.readFileSync(path.join(directory, 'index.js'), 'utf8');
    const sourceMap = JSON.parse(fs.readFileSync(path.join(directory, 'index.js.map'), 'utf8')) as { sources: string[] };

    expect(sourceMap.sources.filter((source) => source.includes('layers/core/src')), 'core sources bundled into the function').toEqual([]);
    expect(sourceMap.sources.filter((source) => source.includes('node_modules/@aws-sdk/')), 'AWS SDK bundled into the function').toEqual([]);

    for (const required of requiredModules(bundle)) {
      const coreSubpath = required.startsWith('@radiomics/core/') && layerHasModule(required);
      const allowed =
        builtinModules.includes(required.replace(/^node:/, '')) || required === '@radiomics/core' || coreSubpath || required.startsWith('@aws-sdk/');
      expect(allowed, `${name} requires ${required}, which the Lambda runtime and the layer do not provide`).toBe(true);
    }
  });
});

describe('handler modules', () => {
  // The Lambda runtime provides the AWS SDK v3; a folder that holds only a link to @aws-sdk stands in for it.
  const runtimeModules = fs.mkdtempSync(path.join(outdir, 'runtime-'));
  fs.mkdirSync(path.join(runtimeModules, 'node_modules'));
  fs.symlinkSync(path.join(REPOSITORY_ROOT, 'node_modules', '@aws-sdk'), path.join(runtimeModules, 'node_modules', '@aws-sdk'));

  it.each(landedFunctions)('%s loads against the layer', (name) => {
    const entry = path.join(bundleDirectory(name), 'index.js');
    const probe = spawnSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(entry)}).handler);`], {
      cwd: runtimeModules,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        NODE_PATH: [path.join(layerDirectory, 'nodejs', 'node_modules'), path.join(runtimeModules, 'node_modules')].join(path.delimiter),
        AWS_REGION: 'eu-west-1',
        BUCKET_NAME: 'uploads',
        TABLE_NAME: 'results',
        TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:results',
        STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111122223333:stateMachine:study',
        RESCORE_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111122223333:stateMachine:rescore',
        PARAMS_DIR: path.join(layerDirectory, 'params'),
        MODELS_DIR: path.join(layerDirectory, 'models'),
      },
    });
    expect(probe.stderr, `${name} failed at module load`).toBe('');
    expect(probe.stdout).toBe('function');
  });
});

describe('contract files', () => {
  it.each(contractFiles())('$name is present', ({ path: filePath, present }) => {
    expect(present, `${path.relative(REPOSITORY_ROOT, filePath)} is missing; synthesis of the real app fails until it lands`).toBe(true);
  });
});
