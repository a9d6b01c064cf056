import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { AssetHashType, DockerImage, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { REPOSITORY_ROOT } from './paths';

/** Module name under which handlers import the core; esbuild leaves it external and Lambda resolves it in /opt. */
export const CORE_MODULE_NAME = '@radiomics/core';

/** Layer folder holding the extraction parameter files, available to functions as `/opt/params`. */
export const LAYER_PARAMS_DIRECTORY = '/opt/params';

/** Layer folder holding the bundled model artifacts, available to functions as `/opt/models`. */
export const LAYER_MODELS_DIRECTORY = '/opt/models';

/**
 * npm packages that must ship as files rather than be bundled: the DICOM codecs are Emscripten modules that
 * load their `.wasm` file relative to their own folder, which a single-file bundle would break. Only the ones
 * the core imports are copied into the layer.
 */
const DEFAULT_FILE_SHIPPED_MODULES = [
  '@cornerstonejs/codec-charls',
  '@cornerstonejs/codec-openjpeg',
  '@cornerstonejs/codec-libjpeg-turbo-8bit',
];

export interface CoreLayerProps {
  /**
   * TypeScript entry point of the core library.
   * @default layers/core/src/index.ts
   */
  readonly entry?: string;

  /**
   * Folders copied whole into the layer root, keyed by their name under /opt.
   * @default params/ (PyRadiomics parameter files) and models/ (model artifacts) of the repository
   */
  readonly dataDirectories?: Readonly<Record<string, string>>;

  /**
   * Files (relative to the layer root) whose absence fails synthesis, because a function reads them at start.
   * @default params/study-protocol.yaml, the extraction settings of the study workflow
   */
  readonly requiredFiles?: readonly string[];

  /**
   * npm packages copied as files into `nodejs/node_modules` instead of being bundled, when the core imports them.
   * @default the Emscripten DICOM codecs (charls, openjpeg, libjpeg-turbo)
   */
  readonly fileShippedModules?: readonly string[];

  /**
   * Minify the bundled core. Source maps are always written so stack traces name core source lines.
   * @default true
   */
  readonly minify?: boolean;
}

/**
 * Lambda layer with the radiomics core bundled by esbuild into
 * `nodejs/node_modules/@radiomics/core/index.js` (CommonJS, Node.js 22, arm64 and x86_64 alike because it is
 * pure JavaScript and WebAssembly), plus the parameter files in `/opt/params` and the model artifacts in
 * `/opt/models`. Bundling runs in the synthesizing process, so no Docker is needed.
 */
export class CoreLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: CoreLayerProps = {}) {
    super(scope, id);

    const entry = props.entry ?? path.join(REPOSITORY_ROOT, 'layers', 'core', 'src', 'index.ts');
    const dataDirectories = props.dataDirectories ?? {
      params: path.join(REPOSITORY_ROOT, 'params'),
      models: path.join(REPOSITORY_ROOT, 'models'),
    };
    const fileShippedModules = props.fileShippedModules ?? DEFAULT_FILE_SHIPPED_MODULES;
    const minify = props.minify ?? true;
    const requiredFiles = props.requiredFiles ?? ['params/study-protocol.yaml'];

    if (!fs.existsSync(entry)) {
      throw new Error(`Core layer entry point not found: ${entry}. The layer bundles the core from this file.`);
    }

    const code = lambda.Code.fromAsset(path.dirname(entry), {
      // Hash the bundle output, because the layer also contains params/ and models/ from outside the entry folder.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Required by the API but never pulled, because tryBundle below returns true or throws.
        image: DockerImage.fromRegistry('node:22-slim'),
        local: {
          tryBundle(outputDirectory: string): boolean {
            bundleCoreLayer({ entry, outputDirectory, dataDirectories, fileShippedModules, minify, requiredFiles });
            return true;
          },
        },
      },
    });

    this.layer = new lambda.LayerVersion(this, 'Layer', {
      code,
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      compatibleArchitectures: [lambda.Architecture.ARM_64, lambda.Architecture.X86_64],
      description: 'Radiomics core library (image I/O, resampling, wavelet filters, features, models), params and models',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

interface CoreLayerBundleRequest {
  readonly entry: string;
  readonly outputDirectory: string;
  readonly dataDirectories: Readonly<Record<string, string>>;
  readonly fileShippedModules: readonly string[];
  readonly minify: boolean;
  readonly requiredFiles?: readonly string[];
}

/** Writes the layer tree into `outputDirectory`; throws with the esbuild message when the core does not build. */
export function bundleCoreLayer(request: CoreLayerBundleRequest): void {
  const packageDirectory = path.join(request.outputDirectory, 'nodejs', 'node_modules', ...CORE_MODULE_NAME.split('/'));
  fs.mkdirSync(packageDirectory, { recursive: true });

  // One bundle, so that every module of the core exists once and `instanceof RadiomicsError` works across areas.
  // Handlers may also import a sub-path such as `@radiomics/core/api`: each source module is exported from the
  // bundle as a namespace, and a small shim file at its sub-path re-exports that namespace.
  const sourceDirectory = path.dirname(request.entry);
  const modules = listCoreModules(sourceDirectory).filter((modulePath) => modulePath !== path.basename(request.entry));
  const entryLines = [
    `export * from './${path.basename(request.entry).replace(/\.ts$/, '')}';`,
    ...modules.map((modulePath, index) => `export * as ${namespaceExport(index)} from './${modulePath.replace(/\.ts$/, '')}';`),
  ];

  const result = buildSync({
    stdin: { contents: entryLines.join('\n'), resolveDir: sourceDirectory, sourcefile: 'layer-entry.ts', loader: 'ts' },
    outfile: path.join(packageDirectory, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: request.minify,
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    external: [...request.fileShippedModules],
  });

  modules.forEach((modulePath, index) => {
    const shimPath = path.join(packageDirectory, modulePath.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(shimPath), { recursive: true });
    const bundlePath = path.relative(path.dirname(shimPath), path.join(packageDirectory, 'index.js')).split(path.sep).join('/');
    const requirePath = bundlePath.startsWith('.') ? bundlePath : `./${bundlePath}`;
    fs.writeFileSync(shimPath, `"use strict";\nmodule.exports = require(${JSON.stringify(requirePath)}).${namespaceExport(index)};\n`);
  });

  fs.writeFileSync(
    path.join(packageDirectory, 'package.json'),
    JSON.stringify({ name: CORE_MODULE_NAME, version: readCoreVersion(request.entry), main: 'index.js' }, null, 2),
  );

  // Copy the file-shipped packages that the bundle still imports.
  const importedExternals = new Set<string>();
  for (const output of Object.values(result.metafile?.outputs ?? {})) {
    for (const imported of output.imports) {
      if (imported.external) importedExternals.add(imported.path);
    }
  }
  for (const moduleName of request.fileShippedModules) {
    const used = [...importedExternals].some((importPath) => importPath === moduleName || importPath.startsWith(`${moduleName}/`));
    if (!used) continue;

    const source = path.join(REPOSITORY_ROOT, 'node_modules', ...moduleName.split('/'));
    if (!fs.existsSync(source)) {
      throw new Error(`The core imports ${moduleName}, but ${source} is missing. Run npm install, then synthesize again.`);
    }
    fs.cpSync(source, path.join(request.outputDirectory, 'nodejs', 'node_modules', ...moduleName.split('/')), {
      recursive: true,
      dereference: true,
    });
  }

  for (const [name, source] of Object.entries(request.dataDirectories)) {
    if (!fs.existsSync(source)) {
      throw new Error(`Layer data folder "${name}" not found at ${source}. The layer must contain it under /opt/${name}.`);
    }
    fs.cpSync(source, path.join(request.outputDirectory, name), { recursive: true, dereference: true });
  }

  const missing = (request.requiredFiles ?? []).filter((file) => !fs.existsSync(path.join(request.outputDirectory, file)));
  if (missing.length > 0) {
    throw new Error(`Core layer is missing ${missing.join(', ')}; add the file(s) to the repository, then synthesize again.`);
  }
}

/** Source modules of the core relative to its source folder, POSIX separators, tests and declarations left out. */
function listCoreModules(sourceDirectory: string): string[] {
  return fs
    .readdirSync(sourceDirectory, { recursive: true })
    .map((entry) => String(entry).split(path.sep).join('/'))
    .filter((entry) => entry.endsWith('.ts') && !entry.endsWith('.d.ts') && !entry.endsWith('.test.ts'))
    .sort();
}

function namespaceExport(index: number): string {
  return `__coreModule${index}`;
}

function readCoreVersion(entry: string): string {
  const manifestPath = path.join(path.dirname(entry), '..', 'package.json');
  if (!fs.existsSync(manifestPath)) return '0.0.0';
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}
