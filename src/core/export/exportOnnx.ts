// Exports a bundle as one self-contained ONNX model: raw features in, target units out. The input
// preprocessing (scikit-learn, float64) runs in front of the network, the target scaler's inverse
// behind it; the network is the bundle's Keras / tfjs model with its stored weights. The files the
// model came from are recorded (path, role, SHA-256) in the model's metadata_props. Docs: docs/export.md.
import { ReadError } from '../io/errors';
import { baseName, type FileSource } from '../io/fileSource';
import { toTfjsTopology } from '../predict/kerasToTfjs';
import { choosePreprocessing, openBundle, provenance, type ExportRequest, type ExportSourceFile } from './exportSources';
import { buildNetwork, networkInputs } from './kerasGraph';
import type { Obj } from './kerasCommon';
import { GraphBuilder, type Value } from './onnxGraph';
import { DataType, encodeModel, type OnnxValueInfo } from './onnxModel';
import { scalerForward, scalerInverse } from './scalerOnnx';

export type { ExportRequest, ExportSourceFile } from './exportSources';

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;

export interface ExportResult {
  /** The encoded ModelProto. */
  onnx: Uint8Array;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadata: Record<string, string>;
  files: ExportSourceFile[];
  /** The preprocessing applied in front ([] with noScaler) and the target scaler behind (or null). */
  scalers: { path: string; class: string }[];
  targetScaler: { path: string; class: string } | null;
  /** Feature names of the input, when the preprocessing records them. */
  featureNames: string[] | null;
}

function dimsOf(shape: (number | null)[], name: string): (number | string)[] {
  return shape.map((d, i) => (i === 0 ? 'batch' : d === null ? `${name}_dim${i}` : d));
}

/** Identity node whose output carries a graph output name (`base`, or `base_1`... when taken). */
function named(g: GraphBuilder, from: string, base: string): string {
  const name = g.fresh(base);
  g.nodes.push({ opType: 'Identity', inputs: [from], outputs: [name], name: g.fresh(`${name}/Identity`), attrs: [] });
  return name;
}

/** Builds the ONNX model of a bundle. Throws ReadError naming the file or layer that cannot be exported. */
export async function exportOnnx(req: ExportRequest, source: FileSource): Promise<ExportResult> {
  const { reports, modelReport, root, values, keras3 } = await openBundle(req, source);
  const topology = toTfjsTopology(values.config) as Obj;

  const g = new GraphBuilder();
  const netInputs = networkInputs(topology);
  for (const ni of netInputs) g.reserve(ni.name);
  // Network inputs: graph inputs when nothing runs in front, else internal values fed by the preprocessing.
  const feeds: Value[] = netInputs.map((i) => ({ name: g.fresh(`${i.name}/scaled`), shape: i.shape }));
  const outputs = buildNetwork(g, topology, values.layers, feeds, keras3);
  const netNodes = g.nodes.splice(0, g.nodes.length);

  const outputSize = outputs.length === 1 && outputs[0].value.shape.length === 2 ? outputs[0].value.shape[1] : null;

  const { scalers, target } = await choosePreprocessing(req, source, reports, netInputs, outputs.length, outputSize);

  // Graph inputs, then the preprocessing chain into the network's feeds.
  const inputs: OnnxValueInfo[] = [];
  netInputs.forEach((ni, k) => {
    let shape = ni.shape;
    if (scalers.length) {
      const first = scalers[0].scaler;
      shape = [null, first.nFeaturesIn ?? ni.shape[1]];
      let v: Value = { name: g.op('Cast', [ni.name], 'preprocess/to_double', { to: DataType.DOUBLE }), shape };
      scalers.forEach((s, i) => (v = scalerForward(g, s.scaler, v, `preprocess/${i}_${s.scaler.class}`)));
      if (v.shape[1] !== null && ni.shape[1] !== null && v.shape[1] !== ni.shape[1]) {
        throw new ReadError(
          'scaler-input-mismatch',
          `${scalers[scalers.length - 1].path}: the preprocessing gives ${v.shape[1]} features but the model takes ${ni.shape[1]}`,
        );
      }
      g.nodes.push({
        opType: 'Cast',
        inputs: [v.name],
        outputs: [feeds[k].name],
        name: g.fresh('preprocess/to_float/Cast'),
        attrs: [{ name: 'to', kind: 'int', value: DataType.FLOAT }],
      });
    } else {
      g.nodes.push({ opType: 'Identity', inputs: [ni.name], outputs: [feeds[k].name], name: g.fresh(`${ni.name}/Identity`), attrs: [] });
    }
    inputs.push({ name: ni.name, dataType: DataType.FLOAT, shape: dimsOf(shape, ni.name) });
  });
  g.nodes.push(...netNodes);

  const outInfos: OnnxValueInfo[] = [];
  for (const o of outputs) {
    let v = o.value.name;
    let shape = o.value.shape;
    if (target) {
      const d: Value = { name: g.op('Cast', [v], 'postprocess/to_double', { to: DataType.DOUBLE }), shape };
      const inv = scalerInverse(g, target.scaler, d, `postprocess/${target.scaler.class}`);
      v = g.op('Cast', [inv.name], 'postprocess/to_float', { to: DataType.FLOAT });
      shape = [null, inv.shape[1]];
    }
    const name = named(g, v, o.name);
    outInfos.push({ name, dataType: DataType.FLOAT, shape: dimsOf(shape, name) });
  }

  const { files, metadata, featureNames } = await provenance(req, source, { root, modelReport, reports, scalers, target });

  const graphName = baseName(root === '.' ? modelReport.path : root) || 'model';
  const onnx = encodeModel({
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producerName: 'model-bundles',
    producerVersion: req.toolVersion,
    graphName,
    docString: `Exported by model-bundles ${req.toolVersion} from ${files.map((f) => f.path).join(', ')}: ${
      scalers.length ? 'raw features in' : 'inputs preprocessed by the caller (exported without preprocessing)'
    }, ${target ? 'outputs in target units' : 'outputs as the network gives them'}.`,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs: outInfos,
    metadata,
  });
  return {
    onnx,
    inputs,
    outputs: outInfos,
    metadata,
    files,
    scalers: scalers.map((s) => ({ path: s.path, class: s.scaler.class })),
    targetScaler: target ? { path: target.path, class: target.scaler.class } : null,
    featureNames,
  };
}
