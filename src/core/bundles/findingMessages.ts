// The one table of finding messages: every English template a bundle finding or a script-lint
// finding is formatted from, by message id (`<code>` or `<code>.<variant>`). The CLI prints the
// formatted English; the Problems panel, the tree and the bundle view translate the template
// (vscode.l10n.t / @vscode/l10n, key = the English template) and put in the same arguments. The build
// adds every template here to l10n/bundle.l10n.json (scripts/l10n.mjs), so translators see them.
// Placeholders `{0}`, `{1}`... are listed in each entry's comment in the order findings.ts passes them.
import { SCRIPT_LINT_MESSAGES } from '../lint/lintMessages';

/** Templates of the bundle findings (findings.ts, bundle.ts). */
export const BUNDLE_FINDING_MESSAGES = {
  /** {0} the file's read error. */
  'tfjs-shard-missing':
    '{0}. The model cannot be loaded until every weight shard is there with its full size: copy the shards listed in its weightsManifest from where the model was converted.',
  /** {0} the file's read error. */
  'tfjs-shard-size':
    '{0}. The model cannot be loaded until every weight shard is there with its full size: copy the shards listed in its weightsManifest from where the model was converted.',
  /** {0} the pickle's verdict (which global it names). */
  'unsafe-pickle': '{0}. Loading this file in Python would run that code: do not load it; recreate the scaler from trusted code.',
  /** {0} the pickle's verdict. */
  'unsupported-pickle': '{0}. Nothing was loaded: this tool reads only known scikit-learn preprocessing classes.',
  /** {0} the file's read error. */
  'unreadable-file': '{0}. The bundle cannot be used as long as this file cannot be read; re-save it from the training code.',
  /** {0} file name, {1} what the file is (one sentence, ending with a period). */
  'foreign-model': '{0}: {1} The scaler beside it is listed but not checked against the model, and no predictions are made.',
  'missing-structure.scaler-only':
    'This folder holds preprocessing but no model: the scaler is only useful with the network it was fitted for. Save the model beside it (model.save("model.keras")).',
  'missing-structure.weights-only':
    "Weights without the network's structure cannot be loaded: save it beside them with model.to_json() (or save the full model with model.save()).",
  'missing-weights':
    "The network's structure is here but its trained weights are not: save them with model.save_weights(...) (or the full model with model.save()).",
  'missing-scaler.tabular':
    'No fitted scaler is saved with this model: predictions on raw inputs will be wrong, and the scaler cannot be rebuilt without the training data. Save it next to the model with joblib.dump(scaler, "scaler.joblib").',
  'missing-scaler.tabular-target-only':
    'No fitted input scaler is saved with this model (only a target scaler): predictions on raw inputs will be wrong, and the scaler cannot be rebuilt without the training data. Save it next to the model with joblib.dump(scaler, "scaler.joblib").',
  'missing-scaler.other-inputs':
    'No fitted scaler is saved with this model. Its inputs are images, sequences or tokens, which often need none; if training scaled them, save the scaler with joblib.dump(scaler, "scaler.joblib").',
  /** {0} model file, {1} the preprocessing operators, {2} the scaler file beside it. */
  'onnx-preprocessing':
    "{0} begins with its own preprocessing ({1}, as skl2onnx converts a scikit-learn pipeline): it takes raw feature values. {2} beside it is not applied again in predictions, which would scale the inputs twice; if the graph's preprocessing is not the one this scaler was fitted for, keep only one of them.",
  /** {0} ONNX file, {1} weights file, {2} the first differences, {3} how many tensors matched by name. */
  'onnx-weights-mismatch':
    '{0} and {1} are not the same network: {2} ({3} tensor(s) by the same name). Export the ONNX model again from the weights you deploy.',
  'missing-log.onnx':
    'No training log: nothing shows how this model was trained or whether it overfitted. Save the per-epoch losses beside it (a CSV with an epoch column, a JSON history, or TensorBoard event files).',
  'missing-log':
    'No training log: nothing shows how this model was trained or whether it overfitted. Add keras.callbacks.CSVLogger("training_log.csv") (or save history.history as JSON).',
  /** {0} the pin file's read error. */
  'unpinned-dependency.unreadable': '{0}. Its pins were not read, so the versions in the bundle were not compared with them.',
  /** {0} file name, {1} package, {2} version, {3} field, {4} where the pin is, {5} the pin as written, {6} why it matters, {7} pin name. */
  'version-drift.one':
    '{0} was saved with {1} {2} ({3}), but {4} pins {5}: {6}. Pin {7}=={2} (the version that saved the file), or re-save the file with the pinned version.',
  /** {0} file names, then as version-drift.one. */
  'version-drift.many':
    '{0} were saved with {1} {2} ({3}), but {4} pins {5}: {6}. Pin {7}=={2} (the version that saved the files), or re-save the files with the pinned version.',
  /** {0} where the pin is, {1} what it allows, {2} version, {3} file name, {4} pin name. */
  'unpinned-dependency.range-one':
    '{0} allows {1}, which includes other versions than {2} that saved {3}: an install may pick a version that reads it differently. Pin {4}=={2}.',
  /** As unpinned-dependency.range-one, {3} file names. */
  'unpinned-dependency.range-many':
    '{0} allows {1}, which includes other versions than {2} that saved {3}: an install may pick a version that reads them differently. Pin {4}=={2}.',
  /** {0} file name, {1} package, {2} version, {3} field, {4} pin files, {5} package names. */
  'unpinned-dependency.none-one': '{0} was saved with {1} {2} ({3}), but no pin file ({4}) names {5}: an install may pick another version. Add {1}=={2}.',
  /** As unpinned-dependency.none-one, {0} file names. */
  'unpinned-dependency.none-many': '{0} were saved with {1} {2} ({3}), but no pin file ({4}) names {5}: an install may pick another version. Add {1}=={2}.',
  /** {0} the layers (comma-separated). */
  /** {0} the layers (comma-separated), {1} where they are (paths; "; "-separated, "and N more"). */
  'lambda-layer.at':
    'The model has layers that hold Python code ({0}) at {1}: it cannot run outside Python (TensorFlow.js, other runtimes), and loading it runs that code. Replace them with built-in layers or a registered custom layer.',
  'lambda-layer':
    'The model has layers that hold Python code ({0}): it cannot run outside Python (TensorFlow.js, other runtimes), and loading it runs that code. Replace them with built-in layers or a registered custom layer.',
  /** {0} Keras version. */
  'keras3-tfjs':
    'Saved by Keras {0}: TensorFlow.js cannot load Keras 3 configs as saved (batch_shape, __keras_tensor__ nodes). This tool converts them; for a web deployment convert with a tfjs converter that supports Keras 3.',
  /** {0} structure file, {1} weights file, {2} the first differences (joined with "; "). */
  'weights-structure-mismatch':
    '{0} and {1} do not belong together: {2}. Loading these weights into this structure fails or gives a different network; save both from the same model.',
  /** As above; {3} how many more differences there are. */
  'weights-structure-mismatch.more':
    '{0} and {1} do not belong together: {2} (and {3} more). Loading these weights into this structure fails or gives a different network; save both from the same model.',
  /** {0} scaler file, {1} its feature count, {2} the model's input size. */
  'scaler-input-mismatch':
    "{0} was fitted on {1} features but the model takes {2}: this scaler belongs to another model or another feature set. Save the scaler fitted on this model's training features.",
  /** {0} scaler file. */
  'target-scaler.named': "{0} scales the model's targets: predictions are mapped back to target units with its inverse_transform.",
  /** {0} scaler file, {1} the model's output size. */
  'target-scaler.by-size':
    "{0} was fitted on {1} feature(s), the size of the model's output: it likely scales the targets, but no name says so, so predict asks you to choose (--target-scaler {0} or --no-target-scaler). Name it y_scaler (or write a model-bundle.json) to make that explicit.",
  /** {0} the scaler file, {1} its name without extension. */
  'recovered-scaler':
    "{0} was recovered from the training data by model-bundles recover-scaler, not saved by the training run: {1}.recovery.json records the recipe, the data file's SHA-256 and the proof.",
  /** {0} what cannot be read or applied (file, step, reason). */
  'preprocessing-unusable.input':
    '{0}. Predictions refuse to run without it (a network fed unscaled inputs gives plausible but wrong numbers): re-save the preprocessing with a supported scikit-learn object, or predict with --no-scaler knowingly.',
  /** {0} what cannot be read or applied (file, step, reason). */
  'preprocessing-unusable.target':
    '{0}. Predictions refuse to run without it (a network fed unscaled inputs gives plausible but wrong numbers): re-save the target scaler with a supported scikit-learn object, or predict with --no-target-scaler knowingly.',
  /** {0} the read error of the pickle, {1} the pickle's file name. */
  'missing-side-file':
    '{0}. The scaler cannot be loaded without it (not by joblib either): copy every {1}_NN.npy file from where it was saved, or re-save the scaler with a current joblib.',
  /** {0} scaler file. */
  'missing-target-scaler':
    '{0} is named as the input scaler, which suggests the targets were scaled too, but no target scaler is saved: if training scaled the targets, predictions come out in scaled units and cannot be mapped back. Save it with joblib.dump(y_scaler, "y_scaler.joblib"); if the targets were not scaled, rename the scaler or list it in a model-bundle.json.',
  /** {0} log file, {1} hours. */
  'stale-artifact.log-after-weights':
    '{0} was written {1} h after the newest weights: the weights may come from an older training run than this log. Save the model at the end of the run that wrote the log.',
  /** {0} scaler file, {1} days. */
  'stale-artifact.scaler-older':
    "{0} is {1} day(s) older than the model's weights: it may have been fitted for an earlier run on other data. Save the scaler in the same run as the model.",
  /** {0} scaler file, {1} days. */
  'stale-artifact.scaler-newer':
    "{0} was written {1} day(s) after the model's weights: it may have been refitted on other data after this model was trained. Save the scaler in the same run as the model.",
  /** {0} the file's read error (the classes the pickled module needs). */
  'pytorch-module-pickle':
    '{0}. Such a file loads only where the same classes are importable, and loading it runs them. Save the weights instead with torch.save(model.state_dict(), "model.pt") and rebuild the model from its code.',
  /** {0} the file's read error (the globals that can run code). */
  'unsafe-pickle.pytorch':
    '{0}. torch.load would run that code: do not load this file (torch.load(path, weights_only=True) refuses it too); get the weights from a trusted source or re-save them with torch.save(model.state_dict(), "model.pt").',
  /** {0} the file's read error (the class it names). */
  'unsupported-pickle.pytorch':
    "{0}. Only tensors, plain Python values and the names docs/pytorch.md lists are read from a PyTorch file: save plain values in checkpoints (vars(args) rather than objects) and the model's state_dict().",
  'missing-log.pytorch':
    'No training log: nothing shows how this model was trained or whether it overfitted. Write the per-epoch losses to a CSV (epoch,loss,val_loss), keep them in the checkpoint dict, or log them with torch.utils.tensorboard.SummaryWriter.',
  /** {0} scaler file, {1} its feature count, {2} the model's input width, {3} "input features" or "input channels", {4} Linear / Conv / RNN, {5} the layer. */
  'scaler-input-mismatch.pytorch':
    "{0} was fitted on {1} features but the model takes {2} ({3} of its first {4} layer {5}): this scaler belongs to another model or another feature set. Save the scaler fitted on this model's training features.",
  /** {0} file name, {1} its parameter count. */
  'torchscript-model':
    '{0} is a TorchScript archive: its {1} parameters are listed from its data, but its code is never run, so no predictions are made here. To check it against the scaler and run it here, export it with torch.onnx.export or save its state_dict().',
  /** {0} file (as the manifest lists it), {1} manifest name, {2} start of the actual SHA-256, {3} start of the recorded one. */
  'manifest-hash-mismatch':
    '{0} is not the file {1} recorded (its SHA-256 is {2}…, the manifest says {3}…): it was replaced or modified after the bundle was written, so the bundle may mix parts of different runs. Restore the original file, or re-write the manifest if the change is intended.',
} as const;

/** Every finding message template: bundle findings and the training-script lint. */
export const FINDING_MESSAGES = { ...BUNDLE_FINDING_MESSAGES, ...SCRIPT_LINT_MESSAGES } as const;

/** A message id of the table. */
export type FindingMessageId = keyof typeof FINDING_MESSAGES;

/** The finding code of a message id (`missing-scaler.tabular` → `missing-scaler`). */
export function messageCode(id: string): string {
  const dot = id.indexOf('.');
  return dot < 0 ? id : id.slice(0, dot);
}
